import { describe, expect, it } from 'vitest';
import { findLevel, findStamp, hasFailureWords, isContinuation, isTraceLine, readSeverity, stampReader } from './log-line';

/** One real line of each LogHub format and the timestamp text it leads with (or carries). */
const STAMPED: [string, string][] = [
  ['03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs', '03-17 16:13:38.811'],
  ['[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties', 'Sun Dec 04 04:47:44 2005'],
  [
    '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected',
    '2005-06-03-15.42.50.675872',
  ],
  ['081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating', '081109 203615'],
  ['134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change', '1077804742'],
  ['2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster', '2015-10-18 18:01:47,978'],
  ['20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579', '20171223-22:15:29:606'],
  ['Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown', 'Jun 14 15:16:01'],
  ['Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: IOThunderboltSwitch<0>(0x0)::listenerCallback', 'Jul  1 09:00:55'],
  ['nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server', '2017-05-16 00:00:00.008'],
  ['[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS', '10.30 16:49:06'],
  ['17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers', '17/06/09 20:10:40'],
  ['- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root', 'Nov 9 12:01:01'],
  ['2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505', '2016-09-28 04:30:30'],
  ['2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification', '2015-07-29 17:41:44,747'],
];

describe('findStamp', () => {
  it.each(STAMPED)('finds the timestamp of %s', (line, stamp) => {
    const found = findStamp(line);
    expect(found).not.toBeNull();
    expect(line.slice(found!.start, found!.end)).toBe(stamp);
  });

  it('gives the message start after a leading stamp and its separators', () => {
    const apache = '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6';
    expect(apache.slice(findStamp(apache)!.prefixEnd)).toBe('[error] mod_jk child workerEnv in error state 6');
    const windows = '2016-09-28 04:30:31, Info                  CBS    Warning: Unrecognized packageExtended attribute.';
    expect(windows.slice(findStamp(windows)!.prefixEnd)).toMatch(/^Info {2,}CBS/);
    const health = '20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579';
    expect(health.slice(findStamp(health)!.prefixEnd)).toBe('Step_LSC|30002312|onStandStepChanged 3579');
    // A stamp in the middle of the line does not move the message start.
    expect(findStamp(STAMPED[2]![0])!.prefixEnd).toBe(0);
  });

  it('finds nothing in a line without a timestamp', () => {
    expect(findStamp('just some words, and version 1.2.3')).toBeNull();
    expect(findStamp('')).toBeNull();
  });

  it('reads a log with the previous format first and agrees with the full search', () => {
    const read = stampReader();
    for (const [line] of STAMPED) {
      const a = read(line);
      const b = findStamp(line);
      expect(a === null ? null : line.slice(a.start, a.end)).toBe(b === null ? null : line.slice(b.start, b.end));
    }
  });
});

describe('readSeverity', () => {
  const important: [string, string][] = [
    ['BGL FATAL', '- 1118536327 2005.06.11 R30-M0-N9-C:J16-U01 2005-06-11-17.32.07.581048 R30-M0-N9-C:J16-U01 RAS KERNEL FATAL data TLB error interrupt'],
    ['BGL SEVERE', '- 1120241131 2005.07.01 R37-M1-N4 2005-07-01-11.05.31.120732 R37-M1-N4 NULL DISCOVERY SEVERE Can not get assembly information for node card'],
    ['HDFS WARN', '081109 214043 2561 WARN dfs.DataNode$DataXceiver: 10.251.30.85:50010:Got exception while serving blk_-2918118818249673980 to /10.251.90.64:'],
    ['Apache [error]', '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6'],
    ['Android E', '03-17 16:13:46.764  2227  2794 E KeyguardUpdateMonitor: isSimPinSecure mSimDatas is null or empty '],
    ['Android W', '03-17 16:13:45.466  1702 17632 W ActivityManager: Bad activity token: android.os.BinderProxy@2bd79ce'],
    ['Windows Error', '2016-09-28 04:30:31, Error                 CSI    Something broke'],
    ['Windows Info with Failed', '2016-09-28 04:30:32, Info                  CBS    Failed to internally open package. [HRESULT = 0x800f0805 - CBS_E_INVALID_PACKAGE]'],
    ['OpenSSH Failed password', 'Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 198.18.0.105 port 42393 ssh2'],
    ['syslog authentication failure', 'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=198.18.0.33 '],
    ['OpenSSH invalid user', 'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 198.18.0.101'],
    ['Hadoop INFO reporting an error', '2015-10-18 18:06:26,029 INFO [IPC Server handler 13 on 62270] org.apache.hadoop.mapred.TaskAttemptListenerImpl: Diagnostics report from attempt_1: Error: java.net.NoRouteToHostException'],
    ['logfmt', 'ts=2024-01-01T00:00:00Z level=error msg="db down"'],
  ];
  it.each(important)('marks %s as important', (_name, line) => {
    expect(readSeverity(line).important).toBe(true);
  });

  const routine: [string, string][] = [
    ['errors=0', '2024-01-01 10:00:00 INFO batch done: processed=120 errors=0 warnings=0'],
    ['no errors', '2024-01-01 10:00:00 INFO check finished with no errors'],
    ['ErrorReporter', '2024-01-01 10:00:00 INFO ErrorReporter initialised'],
    ['errorCode field name', '2024-01-01 10:00:00 INFO config errorCodeMapping loaded'],
    ['debug level with failure words', '03-17 16:13:38.819  1702  8671 D PowerManagerService: release wakelock failed'],
    ['plain INFO', '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating'],
  ];
  it.each(routine)('does not mark %s as important', (_name, line) => {
    expect(readSeverity(line).important).toBe(false);
  });

  it('reads the level word and where it stands', () => {
    const hdfs = '081109 214043 2561 WARN dfs.DataNode$DataXceiver: Got exception';
    expect(findLevel(hdfs)).toEqual({ level: 'warn', at: hdfs.indexOf('WARN') });
    const apache = '[Sun Dec 04 04:47:44 2005] [error] mod_jk child';
    expect(findLevel(apache)).toEqual({ level: 'error', at: apache.indexOf('[error]') });
    expect(findLevel('03-17 16:13:46.764  2227  2794 E KeyguardUpdateMonitor: x')?.level).toBe('error');
    expect(findLevel('a line with error in lower case prose')).toBeNull();
  });

  it('ignores failure words that report no failures', () => {
    expect(hasFailureWords('failures: 0, errors: 0')).toBe(false);
    expect(hasFailureWords('errors=0 but then: connection refused')).toBe(true);
  });
});

describe('stack traces', () => {
  it('recognises Java, Python and Go trace lines', () => {
    for (const line of [
      '\tat org.apache.hadoop.ipc.Client.call(Client.java:1472)',
      '    at java.lang.Thread.run(Thread.java:745)',
      'Caused by: java.net.ConnectException: Connection refused',
      '\t... 12 more',
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 10, in <module>',
      'ValueError: invalid literal for int() with base 10',
      'java.io.IOException: Broken pipe',
      'goroutine 1 [running]:',
    ]) {
      expect(isTraceLine(line), line).toBe(true);
    }
    expect(isTraceLine('2015-10-18 18:01:47,978 INFO [main] started')).toBe(false);
  });

  it('continues a record with unstamped lines in a stamped log, with indented lines otherwise', () => {
    expect(isContinuation('\tat a.b.C.d(C.java:1)', null, true)).toBe(true);
    expect(isContinuation('some wrapped text', null, true)).toBe(true);
    expect(isContinuation('some wrapped text', null, false)).toBe(false);
    expect(isContinuation('  indented', null, false)).toBe(true);
    const stamped = '2015-10-18 18:01:47,978 INFO x';
    expect(isContinuation(stamped, findStamp(stamped), true)).toBe(false);
  });
});
