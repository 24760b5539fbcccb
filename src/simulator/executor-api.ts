import type http from 'node:http';
import { Codecs } from '../protocol/messages.js';
import { MEDIA_TYPES, type Encoding } from '../protocol/codec.js';
import type { executor, v1 } from '../protocol/generated/index.js';
import { readBody } from './master-server.js';
import { isValidUpdateUuid as isValidUuid } from '../protocol/uuid.js';
import { decodeRequestBody } from './endpoints/mesos-json.js';
import { acceptedEncoding } from './endpoints/http-answers.js';


// The request checks of a Mesos 1.11 agent's executor API (`POST /api/v1/executor`), in the
// agent's order, with its texts (measured on a real agent): method, Content-Type, parsing,
// `executor::Call` validation, then (per call type) Accept. Lookups of the framework and the
// executor come after these and are the host's.

/** An answer that ends the request. */
export interface ApiRefusal {
  status: number;
  text: string;
  headers?: Record<string, string>;
}

/** A call that passed every check that needs no lookup; `accept` is set for SUBSCRIBE. */
export interface ApiCall {
  call: executor.Call;
  encoding: Encoding;
  accept?: Encoding;
}

const refuse = (status: number, text: string, headers?: Record<string, string>): ApiRefusal => ({ status, text, ...(headers ? { headers } : {}) });

/** Reads and checks an executor API request; an {@link ApiRefusal} is what the agent answers instead. */
export async function readExecutorCall(req: http.IncomingMessage, maxBytes: number): Promise<ApiCall | ApiRefusal> {
  if (req.method !== 'POST') {
    req.resume();
    return refuse(405, `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${req.method}'.`, { Allow: 'POST' });
  }
  const contentType = req.headers['content-type'];
  if (contentType === undefined) {
    req.resume();
    return refuse(400, "Expecting 'Content-Type' to be present");
  }
  const encoding: Encoding | undefined = contentType === MEDIA_TYPES.json ? 'json' : contentType === MEDIA_TYPES.protobuf ? 'protobuf' : undefined;
  if (!encoding) {
    req.resume();
    return refuse(415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
  }
  const body = await readBody(req, maxBytes);
  if (body === 'too-large') return refuse(413, 'Request body too large');
  const call = decodeCall(body, encoding);
  if ('status' in call) return call;
  const invalid = validateExecutorCall(call);
  if (invalid) return refuse(400, `Failed to validate Executor::Call: ${invalid}`);
  if (call.type !== 'SUBSCRIBE') return { call, encoding };
  const accept = acceptedEncoding(req.headers['accept']);
  if (!accept) return refuse(406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
  return { call, encoding, accept };
}

/** The body as the agent reads it, with the master's JSON reader and texts (`endpoints/mesos-json.ts`). */
function decodeCall(body: Buffer, encoding: Encoding): executor.Call | ApiRefusal {
  const decoded = decodeRequestBody(Codecs.executorCall().type, body, encoding);
  if ('error' in decoded) return refuse(400, decoded.error);
  return decoded.message as unknown as executor.Call;
}

/** Mirrors the agent's `executor::Call` validation; the reason text or undefined. */
export function validateExecutorCall(call: executor.Call): string | undefined {
  if (!call.type) return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE' && !call.subscribe) return "Expecting 'subscribe' to be present";
  if (call.type === 'MESSAGE' && !call.message) return "Expecting 'message' to be present";
  if (call.type !== 'UPDATE') return undefined;
  if (!call.update) return "Expecting 'update' to be present";
  return validateStatus(call, call.update.status);
}

function validateStatus(call: executor.Call, status: v1.TaskStatus): string | undefined {
  const who = `executor ${call.executor_id.value} of framework ${call.framework_id.value}`;
  if (!status.uuid) return "Expecting 'uuid' to be present";
  if (!isValidUuid(status.uuid)) return 'Not a valid UUID';
  if (status.executor_id && status.executor_id.value !== call.executor_id.value) {
    return `ExecutorID in Call: ${call.executor_id.value} does not match ExecutorID in TaskStatus: ${status.executor_id.value}`;
  }
  if (status.source !== 'SOURCE_EXECUTOR') return `Received Call from ${who} with invalid source, expecting 'SOURCE_EXECUTOR'`;
  if (status.state === 'TASK_STAGING') return `Received TASK_STAGING from ${who} which is not allowed`;
  return undefined;
}

