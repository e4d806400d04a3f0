/**
 * Test support: Prisma's DMMF (the parsed schema: models, fields, native types, keys, indexes) computed
 * offline by the schema WASM module shipped inside the `prisma` CLI package, so a test can check that
 * the hand-written migration SQL matches `schema.prisma` without Prisma's (non-downloadable) native
 * schema engine. Depends on CLI internals (the WASM file and its wasm-bindgen ABI): if Prisma changes
 * them this fails loudly rather than passing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface DmmfField {
  readonly name: string;
  readonly dbName: string | null;
  readonly kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  readonly type: string;
  readonly isList: boolean;
  readonly isRequired: boolean;
  readonly isId: boolean;
  readonly isUnique: boolean;
  readonly isUpdatedAt: boolean;
  readonly hasDefaultValue: boolean;
  readonly default?: unknown;
  readonly nativeType?: [string, string[]] | null;
  readonly relationFromFields?: readonly string[];
  readonly relationToFields?: readonly string[];
  readonly relationOnDelete?: string;
}

export interface DmmfModel {
  readonly name: string;
  readonly dbName: string | null;
  readonly fields: readonly DmmfField[];
  readonly primaryKey: { readonly fields: readonly string[] } | null;
  readonly uniqueFields: readonly (readonly string[])[];
}

export interface DmmfIndex {
  readonly model: string;
  readonly type: 'id' | 'unique' | 'normal' | 'fulltext';
  readonly dbName: string | null;
  readonly fields: readonly { readonly name: string }[];
}

export interface Dmmf {
  readonly datamodel: {
    readonly models: readonly DmmfModel[];
    readonly enums: readonly { readonly name: string; readonly values: readonly { readonly name: string }[] }[];
    readonly indexes: readonly DmmfIndex[];
  };
}

/** The slice of the WebAssembly API used here (the repo compiles without DOM typings). */
interface WasmTable {
  grow(delta: number): number;
  set(index: number, value: unknown): void;
  get(index: number): unknown;
}
interface WasmApi {
  Module: (new (bytes: Uint8Array) => object) & { imports(module: object): { module: string; name: string }[] };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function getDmmf(schemaText: string): Dmmf {
  const require = createRequire(import.meta.url);
  const wasmPath = join(dirname(require.resolve('prisma/package.json')), 'build', 'prisma_schema_build_bg.wasm');
  const module = new wasmApi.Module(readFileSync(wasmPath));
  let exports: Record<string, unknown> = {};
  const memory = (): Uint8Array => new Uint8Array((exports['memory'] as { buffer: ArrayBuffer }).buffer);
  const text = (ptr: number, len: number): string => new TextDecoder().decode(memory().subarray(ptr >>> 0, (ptr >>> 0) + len));
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of wasmApi.Module.imports(module)) {
    const ns = (imports[imp.module] ??= {});
    if (imp.name.startsWith('__wbg_Error')) ns[imp.name] = (p: number, l: number) => new Error(text(p, l));
    else if (imp.name.includes('wbindgen_throw')) ns[imp.name] = (p: number, l: number) => {
      throw new Error(text(p, l));
    };
    else if (imp.name.startsWith('__wbg_set_message')) ns[imp.name] = () => undefined;
    else if (imp.name === '__wbindgen_init_externref_table') {
      ns[imp.name] = () => {
        const table = exports['__wbindgen_externrefs'] as WasmTable;
        const base = table.grow(4);
        table.set(0, undefined);
        table.set(base, undefined);
        table.set(base + 1, null);
        table.set(base + 2, true);
        table.set(base + 3, false);
      };
    } else throw new Error(`unexpected prisma schema wasm import ${imp.name}`);
  }
  exports = new wasmApi.Instance(module, imports).exports;
  (exports['__wbindgen_start'] as () => void)();
  const malloc = exports['__wbindgen_malloc'] as (size: number, align: number) => number;
  const free = exports['__wbindgen_free'] as (ptr: number, size: number, align: number) => void;
  const getDmmfRaw = exports['get_dmmf'] as (ptr: number, len: number) => [number, number, unknown, number];

  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema: [['schema.prisma', schemaText]], noColor: true }));
  const ptr = malloc(input.length, 1);
  memory().set(input, ptr);
  const [outPtr, outLen, error, isError] = getDmmfRaw(ptr, input.length);
  if (isError) {
    const table = exports['__wbindgen_externrefs'] as WasmTable;
    throw table.get(error as number) instanceof Error ? (table.get(error as number) as Error) : new Error('get_dmmf failed');
  }
  const json = text(outPtr, outLen);
  free(outPtr, outLen, 1);
  return JSON.parse(json) as Dmmf;
}
