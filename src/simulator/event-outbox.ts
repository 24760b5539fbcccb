import type http from 'node:http';
import { Codecs } from '../protocol/messages.js';
import { encodeRecord } from '../protocol/recordio.js';
import type { Encoding } from '../protocol/codec.js';
import type { scheduler, v1 } from '../protocol/generated/index.js';

/**
 * @internal What the outbox tells the agent-side stream of a status update it carries (the
 * task's `StatusUpdateStream`), so that an update is never retried while a copy of it is still
 * waiting here, and an update that found no room is sent once there is room again.
 */
export interface UpdateCarrier {
  /** The update went onto the framework's connection (handed to the socket): its retry timer may start now. */
  written(status: v1.TaskStatus): void;
  /** The stream has room again for the update that was held back: send it now if it is still due. */
  room(): void;
}

/** How much a subscriber's event stream holds at the simulated master (its outbox), for tests and the scale benchmark. */
export interface OutboxStats {
  /** Events waiting in the outbox (not yet handed to the socket). */
  queuedEvents: number;
  /** Bytes of those events. */
  queuedBytes: number;
  /** Bytes handed to the socket and not yet flushed to the kernel (Node's writable buffer). */
  socketBufferedBytes: number;
  /** Most bytes the outbox ever held. */
  maxQueuedBytes: number;
  /** Agent status updates currently held back in their agents' streams, waiting for room. */
  waitingUpdates: number;
  /** Times an agent status update was held back for want of room. */
  updatesHeldBack: number;
  /** OFFERS events not made because the stream was full (the resources stayed with the allocator). */
  offersWithheld: number;
  /** HEARTBEAT events dropped because one was already waiting. */
  heartbeatsCoalesced: number;
}

interface Entry {
  bytes: Buffer;
  heartbeat: boolean;
  carrier: UpdateCarrier | undefined;
  status: v1.TaskStatus | undefined;
}

/**
 * The per-connection queue of one subscriber's event stream, honouring the socket's backpressure.
 *
 * A Mesos master writes each event into the connection's `process::http::Pipe`, an in-memory queue
 * that libprocess empties as fast as the socket takes it; nothing bounds it, so a framework that
 * does not read makes the master grow. The simulator keeps the queue but bounds it, in ways that
 * lose nothing the protocol promises:
 * - While the socket is full (`res.write()` answered false), events wait here and go out on 'drain',
 *   in order.
 * - Past `limitBytes` of waiting events, an agent's status update is not queued: it stays at the
 *   head of its task's status update stream on the agent (where it is kept until acknowledged
 *   anyway) and is sent as soon as the outbox has room again ({@link UpdateCarrier.room}).
 * - Past `limitBytes`, OFFERS are not made: the resources stay with the allocator and are offered
 *   in a later cycle (as if the offer had been rescinded before the framework could see it).
 * - At most one HEARTBEAT waits at a time (a heartbeat only says the connection is alive).
 * - Every other event (master-generated updates, rescinds, errors, failures, messages, inverse
 *   offers, operation statuses) is queued whatever the size: they are few, or bounded by what the
 *   framework itself asked for (a reconciliation).
 */
export class EventOutbox {
  private queue: Array<Entry | undefined> = [];
  private head = 0;
  private bytes = 0;
  private blocked = false;
  private heartbeatQueued = false;
  private ending = false;
  private closed = false;
  private readonly waiting = new Set<UpdateCarrier>();
  private readonly counters = { maxQueuedBytes: 0, updatesHeldBack: 0, offersWithheld: 0, heartbeatsCoalesced: 0 };

  constructor(
    private readonly res: http.ServerResponse,
    private readonly encoding: Encoding,
    /** Bytes of waiting events past which status updates and offers are held back. */
    readonly limitBytes: number,
  ) {
    res.on('drain', () => this.flush());
    res.on('close', () => this.close());
  }

  /** Sends (or queues) one event; false when it was not taken: the stream is closed, or an OFFERS event found no room. */
  send(event: scheduler.Event, carrier?: UpdateCarrier): boolean {
    if (this.closed || this.ending || this.res.writableEnded || this.res.destroyed) return false;
    const heartbeat = event.type === 'HEARTBEAT';
    if (this.blocked) {
      if (heartbeat && this.heartbeatQueued) {
        this.counters.heartbeatsCoalesced++;
        return true;
      }
      if (this.bytes >= this.limitBytes) {
        if (event.type === 'OFFERS') {
          this.counters.offersWithheld++;
          return false;
        }
        if (carrier) {
          this.waiting.add(carrier);
          this.counters.updatesHeldBack++;
          return true;
        }
      }
    }
    const bytes = encodeRecord(Codecs.schedulerEvent().encode(event, this.encoding));
    const status = carrier ? event.update?.status : undefined;
    if (!this.blocked) {
      this.blocked = !this.res.write(bytes);
      carrier?.written(status!);
      return true;
    }
    this.queue.push({ bytes, heartbeat, carrier, status });
    this.bytes += bytes.length;
    if (heartbeat) this.heartbeatQueued = true;
    if (this.bytes > this.counters.maxQueuedBytes) this.counters.maxQueuedBytes = this.bytes;
    return true;
  }

  /** Ends the stream once everything queued has been written (the chunked terminator follows the last event). */
  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.waiting.clear();
    // What still goes out on an ending stream does not count as delivered: the framework re-subscribes
    // (failover) and its agents resend the heads on the new stream (or it was torn down).
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]!.carrier = undefined;
    if (this.head === this.queue.length) this.res.end();
  }

  /** What the outbox holds now, and its counters. */
  stats(): OutboxStats {
    return {
      queuedEvents: this.queue.length - this.head,
      queuedBytes: this.bytes,
      socketBufferedBytes: this.res.writableLength,
      waitingUpdates: this.waiting.size,
      ...this.counters,
    };
  }

  /** 'drain': writes what waits, in order, until the socket is full again; then lets held-back updates in. */
  private flush(): void {
    if (this.closed) return;
    this.blocked = false;
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.bytes -= entry.bytes.length;
      if (entry.heartbeat) this.heartbeatQueued = false;
      const ok = this.res.write(entry.bytes);
      entry.carrier?.written(entry.status!);
      if (!ok) {
        this.blocked = true;
        break;
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.ending) {
      if (this.head === this.queue.length) this.res.end();
      return;
    }
    // Held-back updates come back while there is room; one that finds none is held back again,
    // and the loop stops there (a carrier re-added to the set is only met after the break).
    for (const carrier of this.waiting) {
      if (this.bytes >= this.limitBytes) break;
      this.waiting.delete(carrier);
      carrier.room();
    }
  }

  private close(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
    this.waiting.clear();
  }
}
