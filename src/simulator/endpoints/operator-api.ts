import type http from 'node:http';
import { MEDIA_TYPES, schema, type Encoding } from '../../protocol/codec.js';
import { Codecs } from '../../protocol/messages.js';
import type { master } from '../../protocol/generated/index.js';
import { decodeRequestBody } from './mesos-json.js';
import { text } from './http-answers.js';
import { SIM_VERSION } from '../state-endpoint.js';

/**
 * `POST /api/v1` on the master: the operator API. The simulator implements only GET_HEALTH and
 * GET_VERSION (the operator API proper is issue #20); it checks requests as the master does (method,
 * Content-Type, body, `Expecting 'type' to be present`, Accept) and answers every other call type with
 * 501, so a tool learns the simulator does not serve it rather than getting a made-up answer.
 */
export function operatorCall(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, encoding: Encoding, accept: Encoding | undefined): void {
  const decoded = decodeRequestBody(schema().lookupType('mesos.v1.master.Call'), body, encoding);
  if ('error' in decoded) return text(res, 400, decoded.error);
  const call = decoded.message as unknown as master.Call;
  if (!call.type) return text(res, 400, "Failed to validate master::Call: Expecting 'type' to be present");
  if (call.type === 'UNKNOWN') return text(res, 501, '501 Not Implemented.');
  if (!accept) return text(res, 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
  let response: master.Response;
  if (call.type === 'GET_HEALTH') response = { type: 'GET_HEALTH', get_health: { healthy: true } };
  else if (call.type === 'GET_VERSION') response = { type: 'GET_VERSION', get_version: { version_info: SIM_VERSION } };
  else return text(res, 501, `501 Not Implemented. The simulated master does not serve the operator call ${call.type}`);
  const payload = Buffer.from(Codecs.masterResponse().encode(response, accept));
  res.writeHead(200, { 'Content-Type': MEDIA_TYPES[accept], 'Content-Length': payload.length }).end(payload);
}
