import { Codecs } from '../src/protocol/messages.js';
import type { MessageCodec } from '../src/protocol/codec.js';
import type { scheduler, v1 } from '../src/protocol/generated/index.js';
import { opsPerSecond, report } from './report.js';

const framework_id = { value: '5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-0000' };

function task(i: number): v1.TaskInfo {
  return {
    name: `web.${i}`,
    task_id: { value: `web.${i}.7f3e9a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b` },
    agent_id: { value: '5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-S7' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: 'web' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 }, allocation_info: { role: 'web' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000 + i, end: 31000 + i }] }, allocation_info: { role: 'web' } },
    ],
    command: { value: 'exec ./server --port $PORT0', shell: true, environment: { variables: [{ name: 'PORT0', value: String(31000 + i) }, { name: 'ENV', value: 'prod' }] } },
    labels: { labels: [{ key: 'app', value: 'web' }, { key: 'instance', value: String(i) }] },
  };
}

/** The calls a framework sends at scale: one ACKNOWLEDGE per update, ACCEPTs launching 10 tasks, DECLINEs, RECONCILEs. */
function calls(): Record<string, scheduler.Call> {
  return {
    acknowledge: { framework_id, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: '5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-S7' }, task_id: { value: 'web.1.7f3e9a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b' }, uuid: Buffer.from('00112233445566778899aabbccddeeff', 'hex') } },
    accept_10_launches: {
      framework_id, type: 'ACCEPT',
      accept: { offer_ids: [{ value: '5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-O42' }], operations: [{ type: 'LAUNCH', launch: { task_infos: Array.from({ length: 10 }, (_, i) => task(i)) } }], filters: { refuse_seconds: 5 } },
    },
    decline: { framework_id, type: 'DECLINE', decline: { offer_ids: [{ value: '5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-O43' }, { value: '5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-O44' }], filters: { refuse_seconds: 120 } } },
    reconcile_10: { framework_id, type: 'RECONCILE', reconcile: { tasks: Array.from({ length: 10 }, (_, i) => ({ task_id: { value: `web.${i}.7f3e9a2b` }, agent_id: { value: '5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-S7' } })) } },
  };
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/**
 * `Codecs.schedulerCall().encodeComplete` (what the HTTP client sends) per call kind and encoding:
 * `before` is the general path (the required-field walk, then fromObject + encode, or fromObject +
 * toObject + explicit defaults + JSON.stringify), `after` the generated encoders; side by side with
 * bare `JSON.stringify` of the same object (alone, and with the UTF-8 bytes a request body needs,
 * which is what encodeComplete returns) and bare protobufjs `Call.encode(message).finish()` of a
 * message instance made beforehand. Runs alternate in short slices (the machine is shared), medians
 * of 7; ratios from the same run.
 */
export async function run(): Promise<void> {
  const codec = Codecs.schedulerCall() as unknown as MessageCodec<scheduler.Call>;
  const type = codec.type;
  const batch = 200;
  for (const [name, call] of Object.entries(calls())) {
    const instance = type.fromObject(call as unknown as Record<string, unknown>);
    for (const encoding of ['json', 'protobuf'] as const) {
      if (Buffer.compare(Buffer.from(codec.encodeComplete(call, encoding)), Buffer.from(slowComplete(codec, call, encoding))) !== 0) {
        throw new Error(`${name} ${encoding}: the generated encoder's bytes differ from the general path's`);
      }
      const variants: Record<string, () => void> = {
        bare: encoding === 'json'
          ? () => { for (let i = 0; i < batch; i++) JSON.stringify(call); }
          : () => { for (let i = 0; i < batch; i++) type.encode(instance).finish(); },
        // JSON.stringify and the UTF-8 bytes a request body needs (what encodeComplete returns).
        ...(encoding === 'json' ? { bare_bytes: () => { for (let i = 0; i < batch; i++) Buffer.from(JSON.stringify(call), 'utf8'); } } : {}),
        before: () => { for (let i = 0; i < batch; i++) slowComplete(codec, call, encoding); },
        after: () => { for (let i = 0; i < batch; i++) codec.encodeComplete(call, encoding); },
      };
      const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
      for (let round = 0; round < 7; round++) {
        for (const [variant, fn] of Object.entries(variants)) samples[variant]!.push(await opsPerSecond(fn, 120, batch));
      }
      const bare = median(samples['bare']!);
      const before = median(samples['before']!);
      const after = median(samples['after']!);
      const bareName = encoding === 'json' ? 'bare_json_stringify' : 'bare_protobufjs_encode';
      report(`encode.${encoding}.${name}.${bareName}.calls_per_s`, Math.round(bare), 'calls/s');
      report(`encode.${encoding}.${name}.before.calls_per_s`, Math.round(before), 'calls/s');
      report(`encode.${encoding}.${name}.after.calls_per_s`, Math.round(after), 'calls/s');
      report(`encode.${encoding}.${name}.after_vs_before`, after / before, 'x');
      report(`encode.${encoding}.${name}.after_vs_bare`, after / bare, 'x');
      if (samples['bare_bytes']) {
        const bareBytes = median(samples['bare_bytes']);
        report(`encode.${encoding}.${name}.bare_json_stringify_to_bytes.calls_per_s`, Math.round(bareBytes), 'calls/s');
        report(`encode.${encoding}.${name}.after_vs_bare_to_bytes`, after / bareBytes, 'x');
      }
    }
  }
}

/** encodeComplete as it was: the required-field walk, then the general encoding. */
function slowComplete(codec: MessageCodec<scheduler.Call>, call: scheduler.Call, encoding: 'json' | 'protobuf'): Uint8Array {
  const missing = codec.missingRequiredFields(call);
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}`);
  return encoding === 'protobuf' ? codec.encodeProtobufSlow(call) : codec.encodeJsonSlow(call);
}
