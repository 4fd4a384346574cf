import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';

/**
 * Summarises a V8 CPU profile (.cpuprofile, as written by `node --cpu-prof`
 * or the inspector's Profiler): the frames with the most self time, the
 * frames with the most inclusive time, and self time by area of the code.
 *
 *   node -r ts-node/register/transpile-only scripts/bench/profile-summary.ts <file.cpuprofile>
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameTime {
  frame: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  self: FrameTime[];
  inclusive: FrameTime[];
  areas: FrameTime[];
}

const ROOT = process.cwd();

function location(url: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const rel = relative(ROOT, path);
  return rel.startsWith('..') ? path : rel.split(sep).join('/');
}

function frameName(f: CallFrame): string {
  const where = location(f.url);
  const name = f.functionName || '(anonymous)';
  return where ? `${name} ${where}:${f.lineNumber + 1}` : name;
}

/** Which part of the system a frame belongs to. */
export function areaOf(url: string, functionName: string): string {
  const where = location(url);
  if (where === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (pkg) return `npm: ${pkg[1] as string}`;
  if (where.startsWith('node:')) return 'node internals';
  for (const prefix of [
    'chaincode/src/worldstate',
    'chaincode/src/ledger',
    'chaincode/src/contracts',
    'chaincode/src/domain',
    'chaincode/src',
    'gateway/src/ledger/embedded',
    'gateway/src/http',
    'gateway/src/services',
    'gateway/src',
    'scripts/bench',
  ]) {
    if (where.startsWith(prefix)) return prefix;
  }
  return where;
}

function top(map: Map<string, number>, totalMs: number, n: number): FrameTime[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([frame, us]) => ({ frame, ms: us / 1000, share: totalMs === 0 ? 0 : us / 1000 / totalMs }));
}

export function summariseProfile(profile: CpuProfile, n = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  const lastTimestamp = profile.startTime + profile.timeDeltas.reduce((s, d) => s + d, 0);
  profile.samples.forEach((id, i) => {
    // A sample lasts until the next one (the last one until the profile's end), as DevTools counts it.
    const us = i + 1 < profile.samples.length ? (profile.timeDeltas[i + 1] ?? 0) : Math.max(0, profile.endTime - lastTimestamp);
    const node = byId.get(id);
    if (!node) return;
    totalUs += us;
    const leaf = frameName(node.callFrame);
    self.set(leaf, (self.get(leaf) ?? 0) + us);
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur);
      if (!frame || frame.callFrame.functionName === '(root)') continue;
      const name = frameName(frame.callFrame);
      // Recursion counts a frame once per sample.
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  });
  const totalMs = totalUs / 1000;
  return { totalMs, self: top(self, totalMs, n), inclusive: top(inclusive, totalMs, n), areas: top(areas, totalMs, n) };
}

export function formatSummary(s: ProfileSummary): string {
  const rows = (list: FrameTime[]) => list.map((f) => `  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.frame}`).join('\n');
  return [
    `profiled ${s.totalMs.toFixed(0)} ms of samples`,
    'self time by area:',
    rows(s.areas),
    'top frames by self time:',
    rows(s.self),
    'top frames by inclusive time:',
    rows(s.inclusive),
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top N]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSummary(summariseProfile(profile, Number(process.argv[3] ?? 25)))}\n`);
}
