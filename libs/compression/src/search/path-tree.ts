/**
 * Path lists as directory trees.
 *
 * Lossless form (order-preserving, decodable): one line per directory run, `dir/ file file …`, with
 * subdirectories indented two spaces under their parent. A line whose first word does not end in `/`
 * continues the file list of the directory one level up (after a subdirectory, or when wrapped), so the
 * exact sequence of input paths — including directories that the input revisits — comes back from
 * `decodePathTree`. A header may span several components (`internal/dao/`) when a directory holds
 * nothing but one subdirectory.
 *
 * Lossy form (balanced): the same notation over a merged tree, at most `cap` files shown per directory
 * (the rest counted by extension in brackets) and chosen subtrees folded into one summary line.
 */

const INDENT = '  ';
/** Wrap a directory's file list after this many characters (a wrapped line costs ~2 tokens). */
const WRAP_CHARS = 160;

/** A path the lossless notation can carry: no whitespace, not ending in `/`, not empty. */
export function isEncodablePath(path: string): boolean {
  return path.length > 0 && !/\s/.test(path) && !path.endsWith('/');
}

/** `./internal/dao/pod.go` → dirs `['./', 'internal/', 'dao/']`, base `pod.go`. */
export function splitPath(path: string): { dirs: string[]; base: string } {
  const dirs: string[] = [];
  let start = 0;
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', start)) {
    dirs.push(path.slice(start, i + 1));
    start = i + 1;
  }
  return { dirs, base: path.slice(start) };
}

// ------------------------------------------------------------------------------------ lossless form

interface RunNode {
  header: string;
  items: (string[] | RunNode)[];
}

/**
 * Encode paths (in input order) as tree lines. Returns null when a path cannot be carried
 * (see `isEncodablePath`); callers verify with `decodePathTree` before trusting the result.
 */
export function encodePathTree(paths: readonly string[]): string[] | null {
  const root: RunNode = { header: '', items: [] };
  const stack: RunNode[] = [];
  let lastDir: string | null = null;
  for (const path of paths) {
    if (!isEncodablePath(path)) return null;
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash + 1);
    if (dir === lastDir) {
      // Same directory as the previous path (the common case): append to its file run.
      const top = stack[stack.length - 1] ?? root;
      const last = top.items[top.items.length - 1];
      if (Array.isArray(last)) {
        last.push(path.slice(slash + 1));
        continue;
      }
    }
    lastDir = dir;
    const { dirs, base } = splitPath(path);
    let common = 0;
    while (common < stack.length && common < dirs.length && stack[common]!.header === dirs[common]) common++;
    stack.length = common;
    for (let i = common; i < dirs.length; i++) {
      const node: RunNode = { header: dirs[i]!, items: [] };
      const parent: RunNode = stack[stack.length - 1] ?? root;
      parent.items.push(node);
      stack.push(node);
    }
    const top = stack[stack.length - 1] ?? root;
    const last = top.items[top.items.length - 1];
    if (Array.isArray(last)) last.push(base);
    else top.items.push([base]);
  }
  const out: string[] = [];
  for (const item of root.items) {
    if (Array.isArray(item)) pushFileLines(out, '', item);
    else renderRun(item, 0, out);
  }
  return out;
}

function renderRun(node: RunNode, depth: number, out: string[]): void {
  let header = node.header;
  let current = node;
  // A directory holding nothing but one subdirectory shares its line: `internal/dao/`.
  for (let only = current.items[0]; current.items.length === 1 && only && !Array.isArray(only); only = current.items[0]) {
    current = only;
    header += current.header;
  }
  const pad = INDENT.repeat(depth);
  const [first, ...rest] = current.items;
  if (Array.isArray(first)) {
    const chunks = wrapNames(first, WRAP_CHARS - header.length);
    out.push(`${pad}${header} ${chunks[0]!}`);
    for (const chunk of chunks.slice(1)) out.push(`${pad}${INDENT}${chunk}`);
  } else {
    out.push(pad + header);
    if (first) renderRun(first, depth + 1, out);
  }
  for (const item of rest) {
    if (Array.isArray(item)) pushFileLines(out, pad + INDENT, item);
    else renderRun(item, depth + 1, out);
  }
}

function pushFileLines(out: string[], pad: string, names: readonly string[]): void {
  for (const chunk of wrapNames(names, WRAP_CHARS)) out.push(pad + chunk);
}

function wrapNames(names: readonly string[], width: number): string[] {
  const chunks: string[] = [];
  let line = '';
  for (const name of names) {
    if (line.length > 0 && line.length + 1 + name.length > width) {
      chunks.push(line);
      line = name;
    } else {
      line = line.length > 0 ? `${line} ${name}` : name;
    }
  }
  if (line.length > 0 || chunks.length === 0) chunks.push(line);
  return chunks;
}

/**
 * Decode tree lines back into the exact path sequence. Stops after `limit` paths (the lines after that
 * are not part of the tree). Returns the paths and how many lines were consumed, or null when the lines
 * are not in the notation.
 */
export function decodePathTree(
  lines: readonly string[],
  limit = Number.POSITIVE_INFINITY,
): { paths: string[]; consumed: number } | null {
  const paths: string[] = [];
  const stack: string[] = [];
  let consumed = 0;
  for (const line of lines) {
    if (paths.length >= limit) break;
    let spaces = 0;
    while (line.charCodeAt(spaces) === 32) spaces++;
    if (spaces % 2 !== 0) return null;
    const depth = spaces / 2;
    if (depth > stack.length) return null;
    const words = line.slice(spaces).split(' ');
    if (words.some((w) => w.length === 0)) return null;
    stack.length = depth;
    let names = words;
    if (words[0]!.endsWith('/')) {
      stack.push(words[0]!);
      names = words.slice(1);
    }
    const dir = stack.join('');
    for (const name of names) {
      if (name.endsWith('/')) return null;
      paths.push(dir + name);
    }
    consumed++;
  }
  return paths.length >= limit || limit === Number.POSITIVE_INFINITY ? { paths, consumed } : null;
}

// ---------------------------------------------------------------------------------------- lossy form

/** A merged directory: files in first-seen order, subdirectories in first-seen order. */
export interface DirNode {
  /** This directory's own name with its trailing `/` (`''` for the root). */
  readonly name: string;
  readonly files: string[];
  readonly dirs: Map<string, DirNode>;
  /** Lines found inside this directory's part of the listing that are not entries, kept verbatim. */
  readonly notes: string[];
}

export function newDir(name: string): DirNode {
  return { name, files: [], dirs: new Map(), notes: [] };
}

/** Find or create the directory at `dirs` below `root`. */
export function dirAt(root: DirNode, dirs: readonly string[]): DirNode {
  let node = root;
  for (const name of dirs) {
    let next = node.dirs.get(name);
    if (!next) {
      next = newDir(name);
      node.dirs.set(name, next);
    }
    node = next;
  }
  return node;
}

/** Merge a path list into a tree (duplicates dropped). */
export function buildDirTree(paths: readonly string[]): DirNode {
  const root = newDir('');
  const seen = new Set<string>();
  const byDir = new Map<string, DirNode>();
  for (const path of paths) {
    if (seen.has(path)) continue;
    seen.add(path);
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash + 1);
    let node = byDir.get(dir);
    if (!node) {
      node = dirAt(root, splitPath(path).dirs);
      byDir.set(dir, node);
    }
    const base = path.slice(slash + 1);
    if (base.length > 0) node.files.push(base);
  }
  dropDirectoryEntries(root);
  return root;
}

/** A listing that prints a directory's own path before its contents: the entry is shown by its header. */
function dropDirectoryEntries(node: DirNode): void {
  if (node.dirs.size > 0 && node.files.some((f) => node.dirs.has(`${f}/`))) {
    const kept = node.files.filter((f) => !node.dirs.has(`${f}/`));
    node.files.length = 0;
    node.files.push(...kept);
  }
  for (const child of node.dirs.values()) dropDirectoryEntries(child);
}

/** Number of files in a subtree. */
export function countFiles(node: DirNode): number {
  let n = node.files.length;
  for (const child of node.dirs.values()) n += countFiles(child);
  return n;
}

/**
 * Extension class of a file name for summaries: test files by their suffix (`_test.go`, `.spec.ts`,
 * `test_*.py`), otherwise the last extension, `(no ext)` when there is none.
 */
export function extensionClass(name: string): string {
  const test = /(?:_test|\.test|\.spec|_spec)\.[A-Za-z0-9]+$/.exec(name);
  if (test) return test[0];
  if (/^test_.+\.py$/.test(name)) return 'test_*.py';
  const dot = name.lastIndexOf('.');
  if (dot > 0 && dot < name.length - 1 && name.length - dot <= 12) return name.slice(dot);
  return '(no ext)';
}

/** `50 .go, 15 _test.go` — classes by count (then name), at most `max` named, the rest as `N other`. */
export function summarizeClasses(names: Iterable<string>, max = 4): string {
  const counts = new Map<string, number>();
  for (const name of names) {
    const cls = extensionClass(name);
    counts.set(cls, (counts.get(cls) ?? 0) + 1);
  }
  return formatClassCounts(counts, max);
}

function formatClassCounts(counts: ReadonlyMap<string, number>, max: number): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const shown = sorted.slice(0, max).map(([cls, n]) => `${n} ${cls}`);
  const other = sorted.slice(max).reduce((sum, [, n]) => sum + n, 0);
  if (other > 0) shown.push(`${other} other`);
  return shown.join(', ');
}

const LANDMARK_RE =
  /^(?:readme(?:\.\w+)?|main\.\w+|index\.\w+|mod\.rs|lib\.rs|app\.\w+|server\.\w+|cli\.\w+|setup\.py|pyproject\.toml|package\.json|go\.mod|cargo\.toml|makefile|dockerfile|__main__\.py)$/i;

function isTestName(name: string): boolean {
  return /(?:_test|\.test|\.spec|_spec)\.\w+$|^test_|^conftest\.py$|^tests?$/i.test(name);
}

/**
 * Order in which a directory's files are kept when it is capped: landmarks (README, main, index, …),
 * then one file of each extension class, then other non-test files, then tests — each in input order.
 * Independent of the cap, so a smaller cap keeps a subset of a larger one.
 */
export function keepOrder(files: readonly string[]): number[] {
  const order: number[] = [];
  const taken = new Uint8Array(files.length);
  const take = (i: number): void => {
    if (!taken[i]) {
      taken[i] = 1;
      order.push(i);
    }
  };
  files.forEach((f, i) => {
    if (LANDMARK_RE.test(f)) take(i);
  });
  const seenClass = new Set<string>();
  files.forEach((f, i) => {
    const cls = extensionClass(f);
    if (!seenClass.has(cls)) {
      seenClass.add(cls);
      if (!isTestName(f)) take(i);
    }
  });
  const plain: number[] = [];
  const tests: number[] = [];
  files.forEach((f, i) => (isTestName(f) ? tests : plain).push(i));
  for (const k of spreadOrder(plain.length)) take(plain[k]!);
  for (const k of spreadOrder(tests.length)) take(tests[k]!);
  return order;
}

/**
 * 0..n-1 ordered so that every prefix is spread evenly over the range (first, middle, quarters, …):
 * a capped directory then shows names from its whole alphabet, not only its first letters.
 */
export function spreadOrder(n: number): number[] {
  const order: number[] = [];
  const taken = new Uint8Array(n);
  const push = (i: number): void => {
    if (i < n && !taken[i]) {
      taken[i] = 1;
      order.push(i);
    }
  };
  push(0);
  for (let denominator = 2; denominator <= 2 * n && order.length < n; denominator *= 2) {
    for (let k = 1; k < denominator; k += 2) push(Math.floor((k * n) / denominator));
  }
  for (let i = 0; i < n; i++) push(i);
  return order;
}

export interface RenderOptions {
  /** At most this many files shown per directory (plus forced ones); directories within 2 of it show all. */
  readonly cap: number;
  /** Directories (as rendered: the last node of a collapsed chain) shown as one summary line. */
  readonly folded: ReadonlySet<DirNode>;
  /** Full paths that must be shown (relevant to the task). */
  readonly forced: ReadonlySet<string>;
}

export interface RenderResult {
  readonly lines: string[];
  readonly shown: number;
  readonly omitted: number;
}

/** What renders of the same tree can share, per directory: its file list, key, keep order and classes. */
interface NodeInfo {
  key: string | null;
  order: number[] | null;
  classes: string[] | null;
  fold: { files: number; summary: string } | null;
  subtreeClasses: Map<string, number> | null;
  /** widths[k]: characters of the first k names in keep order, with their spaces. */
  widths: Int32Array | null;
  classCount: number;
  readonly all: string;
}

export type RenderCache = WeakMap<DirNode, NodeInfo>;

interface Stats {
  shown: number;
  omitted: number;
  /** File lists already rendered (3 files or more) → where, so a repeated list is named, not repeated. */
  readonly seen: Map<string, string>;
  /** The root's own name, left out of those references. */
  readonly rootName: string;
}

function newStats(root: DirNode): Stats {
  return { shown: 0, omitted: 0, seen: new Map(), rootName: root.name };
}

/** One rendered directory line: a chain of single-child directories shares it (`internal/dao/`). */
interface Collapsed {
  readonly header: string;
  readonly node: DirNode;
}

function collapse(node: DirNode): Collapsed {
  let header = node.name;
  let current = node;
  while (current.files.length === 0 && current.notes.length === 0 && current.dirs.size === 1) {
    current = current.dirs.values().next().value!;
    header += current.name;
  }
  return { header, node: current };
}

/** Render a merged tree with caps. A named root heads the first line; an unnamed root's files come first. */
export function renderDirTree(root: DirNode, options: RenderOptions, cache: RenderCache = new WeakMap()): RenderResult {
  const out: string[] = [];
  const stats = newStats(root);
  if (root.name === '') {
    if (root.files.length > 0) out.push(fileLine('', '', root, '', options, stats, cache));
    out.push(...root.notes);
    for (const child of root.dirs.values()) renderDir(child, '', 0, options, out, stats, cache);
  } else {
    renderDir(root, '', 0, options, out, stats, cache);
  }
  return { lines: out, shown: stats.shown, omitted: stats.omitted };
}

function renderDir(
  node: DirNode,
  parentPath: string,
  depth: number,
  options: RenderOptions,
  out: string[],
  stats: Stats,
  cache: RenderCache,
): void {
  const { header, node: current } = collapse(node);
  const path = parentPath + header;
  const pad = INDENT.repeat(depth);
  if (options.folded.has(current)) {
    const fold = foldOf(current, cache);
    stats.omitted += fold.files;
    out.push(`${pad}${header} ${fold.summary}`);
    for (const note of collectNotes(current)) out.push(pad + INDENT + note);
    return;
  }
  out.push(current.files.length > 0 ? fileLine(pad, header, current, path, options, stats, cache) : pad + header);
  for (const note of current.notes) out.push(pad + INDENT + note);
  for (const child of current.dirs.values()) renderDir(child, path, depth + 1, options, out, stats, cache);
}

/**
 * Characters `renderDirTree` would produce (lines and their newlines), without building them: exact but
 * for the width of "[+N more: …]" notes, which is estimated. Used to search caps cheaply.
 */
export function measureDirTree(root: DirNode, options: RenderOptions, cache: RenderCache = new WeakMap()): number {
  const stats = newStats(root);
  let total = 0;
  const walk = (node: DirNode, parentPath: string, depth: number): void => {
    const { header, node: current } = collapse(node);
    const path = parentPath + header;
    const pad = depth * INDENT.length;
    if (options.folded.has(current)) {
      total += pad + header.length + 1 + foldOf(current, cache).summary.length + 1;
      for (const note of collectNotes(current)) total += pad + INDENT.length + note.length + 1;
      return;
    }
    total += (current.files.length > 0 ? fileLineWidth(pad, header, current, path, options, stats, cache) : pad + header.length) + 1;
    for (const note of current.notes) total += pad + INDENT.length + note.length + 1;
    for (const child of current.dirs.values()) walk(child, path, depth + 1);
  };
  if (root.name === '') {
    if (root.files.length > 0) total += fileLineWidth(0, '', root, '', options, stats, cache) + 1;
    for (const note of root.notes) total += note.length + 1;
    for (const child of root.dirs.values()) walk(child, '', 0);
  } else {
    walk(root, '', 0);
  }
  return total;
}

function fileLineWidth(
  pad: number,
  header: string,
  node: DirNode,
  path: string,
  options: RenderOptions,
  stats: Stats,
  cache: RenderCache,
): number {
  const files = node.files;
  if (options.forced.size > 0) return fileLine(' '.repeat(pad), header, node, path, options, stats, cache).length;
  const info = infoOf(node, cache);
  const lead = pad + (header ? header.length + 1 : 0);
  if (files.length >= 3) {
    info.key ??= files.join('\n');
    if (stats.seen.has(info.key)) return lead + 24 + String(files.length).length + path.length;
    stats.seen.set(info.key, path);
  }
  if (files.length <= options.cap + 2) return lead + info.all.length;
  if (!info.widths) {
    info.order ??= keepOrder(files);
    const widths = new Int32Array(files.length + 1);
    for (let k = 0; k < files.length; k++) widths[k + 1] = widths[k]! + files[info.order[k]!]!.length + 1;
    info.widths = widths;
    info.classes ??= files.map(extensionClass);
    info.classCount = new Set(info.classes).size;
  }
  const dropped = files.length - options.cap;
  const note = 10 + String(dropped).length + Math.min(info.classCount, 4) * 11;
  return lead + info.widths[options.cap]! + note;
}

/** `[40 files in 3 dirs: 30 .go, 10 _test.go]` for a folded subtree (cached per directory). */
function foldOf(node: DirNode, cache: RenderCache): { files: number; summary: string } {
  const info = infoOf(node, cache);
  if (!info.fold) {
    const counts = subtreeClasses(node, cache);
    let files = 0;
    for (const n of counts.values()) files += n;
    const dirs = countDirs(node);
    const where = dirs > 0 ? ` in ${dirs + 1} dirs` : '';
    info.fold = { files, summary: `[${files} files${where}: ${formatClassCounts(counts, 3)}]` };
  }
  return info.fold;
}

/** Extension classes of every file in a subtree, with counts (cached per directory, built bottom-up). */
function subtreeClasses(node: DirNode, cache: RenderCache): Map<string, number> {
  const info = infoOf(node, cache);
  if (!info.subtreeClasses) {
    info.classes ??= node.files.map(extensionClass);
    const counts = new Map<string, number>();
    for (const cls of info.classes) counts.set(cls, (counts.get(cls) ?? 0) + 1);
    for (const child of node.dirs.values()) {
      for (const [cls, n] of subtreeClasses(child, cache)) counts.set(cls, (counts.get(cls) ?? 0) + n);
    }
    info.subtreeClasses = counts;
  }
  return info.subtreeClasses;
}

function infoOf(node: DirNode, cache: RenderCache): NodeInfo {
  let info = cache.get(node);
  if (!info) {
    info = {
      key: null,
      order: null,
      classes: null,
      fold: null,
      subtreeClasses: null,
      widths: null,
      classCount: 0,
      all: node.files.join(' '),
    };
    cache.set(node, info);
  }
  return info;
}

function fileLine(
  pad: string,
  header: string,
  node: DirNode,
  path: string,
  options: RenderOptions,
  stats: Stats,
  cache: RenderCache,
): string {
  const files = node.files;
  const info = infoOf(node, cache);
  const lead = header ? `${pad}${header} ` : pad;
  if (files.length >= 3) {
    info.key ??= files.join('\n');
    const where = stats.seen.get(info.key);
    if (where !== undefined) {
      stats.shown += files.length;
      return `${lead}[the same ${files.length} files as ${where}]`;
    }
    const relative = path.startsWith(stats.rootName) ? path.slice(stats.rootName.length) : path;
    stats.seen.set(info.key, relative || stats.rootName || './');
  }
  if (files.length <= options.cap + 2) {
    stats.shown += files.length;
    return lead + info.all;
  }
  const keep = new Uint8Array(files.length);
  info.order ??= keepOrder(files);
  for (let i = 0; i < options.cap; i++) keep[info.order[i]!] = 1;
  if (options.forced.size > 0) {
    files.forEach((f, i) => {
      if (options.forced.has(path + f)) keep[i] = 1;
    });
  }
  info.classes ??= files.map(extensionClass);
  const shown: string[] = [];
  const counts = new Map<string, number>();
  let dropped = 0;
  for (let i = 0; i < files.length; i++) {
    if (keep[i]) {
      shown.push(files[i]!);
    } else {
      dropped++;
      const cls = info.classes[i]!;
      counts.set(cls, (counts.get(cls) ?? 0) + 1);
    }
  }
  stats.shown += shown.length;
  stats.omitted += dropped;
  if (dropped > 0) {
    const classes = formatClassCounts(counts, 3);
    shown.push(shown.length > 0 ? `[+${dropped} more: ${classes}]` : `[${classes}]`);
  }
  return lead + shown.join(' ');
}


function collectNotes(node: DirNode, out: string[] = []): string[] {
  out.push(...node.notes);
  for (const child of node.dirs.values()) collectNotes(child, out);
  return out;
}

function countDirs(node: DirNode): number {
  let n = node.dirs.size;
  for (const child of node.dirs.values()) n += countDirs(child);
  return n;
}

/** Directory names whose contents are rarely what a task is about: folded first. */
const LOW_VALUE_DIR_RE =
  /^(?:tests?|testdata|test_data|__tests__|__snapshots__|fixtures?|spec|docs?|assets|static|public|images?|img|vendor|node_modules|third_party|dist|build|out|target|examples?|samples?|demos?|trajectories|\.git|\.venv|venv|__pycache__|\.cache|coverage)\/$/i;

/**
 * Choose directories to fold so that a render with `cap` fits `budgetChars`: low-value directories
 * (tests/, docs/, …) first, then the deepest, never one holding a forced path. Returns the empty set
 * when nothing needs folding.
 */
export function chooseFolds(
  root: DirNode,
  forced: ReadonlySet<string>,
  budgetChars: number,
  cap: number,
  cache: RenderCache = new WeakMap(),
): Set<DirNode> {
  interface Item {
    node: DirNode;
    parent: number;
    depth: number;
    own: number;
    fold: number;
    headerWidth: number;
    subtree: number;
    weight: number;
    protectedByForce: boolean;
    hasDirs: boolean;
  }
  const items: Item[] = [];
  const none = new Set<DirNode>();
  const options: RenderOptions = { cap, folded: none, forced };
  const stats = newStats(root);
  let total = root.name === '' && root.files.length > 0 ? fileLineWidth(0, '', root, '', options, stats, cache) + 1 : 0;
  const walk = (node: DirNode, parentPath: string, depth: number, parent: number): void => {
    const { header, node: current } = collapse(node);
    const path = parentPath + header;
    const pad = INDENT.repeat(depth);
    const own = (current.files.length > 0 ? fileLineWidth(pad.length, header, current, path, options, stats, cache) : pad.length + header.length) + 1;
    let protectedByForce = false;
    for (const f of forced) if (f.startsWith(path)) protectedByForce = true;
    const lowValue = LOW_VALUE_DIR_RE.test(current.name) || LOW_VALUE_DIR_RE.test(node.name);
    const index = items.length;
    items.push({
      node: current,
      parent,
      depth,
      own,
      fold: 0,
      headerWidth: pad.length + header.length + 1,
      subtree: own,
      weight: lowValue ? 3 : 1,
      protectedByForce,
      hasDirs: current.dirs.size > 0,
    });
    total += own;
    for (const child of current.dirs.values()) walk(child, path, depth + 1, index);
  };
  if (root.name === '') for (const child of root.dirs.values()) walk(child, '', 0, -1);
  else walk(root, '', 0, -1);
  if (total <= budgetChars) return none;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.parent >= 0) items[item.parent]!.subtree += item.subtree;
    if (item.hasDirs) item.fold = item.headerWidth + foldOf(item.node, cache).summary.length + 1;
  }
  const inFoldedBranch = (i: number, folded: Uint8Array): boolean => {
    for (let p = items[i]!.parent; p >= 0; p = items[p]!.parent) if (folded[p]) return true;
    return false;
  };
  // Low-value directories first, then the deepest (so that the top of the tree stays visible and a fold
  // does not overshoot by much), then the biggest saving.
  const candidates = items
    .map((item, i) => ({ i, item }))
    .filter(({ item }) => item.hasDirs && !item.protectedByForce)
    .sort(
      (a, b) =>
        b.item.weight - a.item.weight ||
        b.item.depth - a.item.depth ||
        b.item.subtree - b.item.fold - (a.item.subtree - a.item.fold) ||
        a.i - b.i,
    );
  const folded = new Uint8Array(items.length);
  const result = new Set<DirNode>();
  for (const { i } of candidates) {
    if (total <= budgetChars) break;
    if (inFoldedBranch(i, folded)) continue;
    const item = items[i]!;
    const saving = item.subtree - item.fold;
    if (saving <= 0) continue;
    folded[i] = 1;
    result.add(item.node);
    total -= saving;
    for (let p = item.parent; p >= 0; p = items[p]!.parent) items[p]!.subtree -= saving;
  }
  return result;
}
