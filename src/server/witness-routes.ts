/**
 * The witness's HTTP interface (C2SP tlog-witness), with this node's URL as
 * both prefixes' base:
 *
 *   POST /add-checkpoint                  submission prefix: the node's URL
 *   GET  /witness/<origin hash>/checkpoint monitoring prefix: <node URL>/witness
 *   GET  /witness/key                     this witness's cosigner vkey (type 0x04)
 *
 * No login: a request is authenticated by the log's signature on the
 * checkpoint (tlog-witness: "There is no authentication of requests beyond
 * the validation of the signature on the checkpoint"). The body is the
 * spec's text form, not JSON, so this scope takes any content type as bytes
 * (the root's strict JSON parser does not apply), up to a size limit.
 * Refusals other than 409 (whose body the spec fixes) are problem+json.
 */
import type { FastifyInstance } from 'fastify';
import type { WitnessService } from '../app/witness-service.ts';
import { PROBLEM_JSON, problem } from './problem.ts';

/**
 * A request is "old" line, at most 63 proof lines (45 bytes each) and a
 * checkpoint with its signatures: a few KiB. 64 KiB leaves room for many
 * cosignatures and extension lines.
 */
export const ADD_CHECKPOINT_BODY_LIMIT = 64 * 1024;

export async function registerWitnessRoutes(app: FastifyInstance, witness: WitnessService): Promise<void> {
  await app.register(async (scope) => {
    // the root's handler would name the root's body limit; this scope's is smaller
    scope.setErrorHandler((error, request, reply) => {
      if ((error as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply
          .code(413)
          .type(PROBLEM_JSON)
          .send(problem('PAYLOAD_TOO_LARGE', 413, `an add-checkpoint body is at most ${ADD_CHECKPOINT_BODY_LIMIT} bytes`, { instance: request.url }));
      }
      throw error;
    });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ADD_CHECKPOINT_BODY_LIMIT }, (_req, body, done) => done(null, body));

    scope.post('/add-checkpoint', { bodyLimit: ADD_CHECKPOINT_BODY_LIMIT }, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await witness.addCheckpoint(body);
      reply.header('cache-control', 'no-store');
      if (answer.status === 200 || answer.status === 409) {
        return reply.code(answer.status).type(answer.contentType).send(answer.body);
      }
      const code = answer.status === 400 ? 'BAD_INPUT' : answer.status === 404 ? 'NOT_FOUND' : answer.status === 403 ? 'FORBIDDEN' : 'PROOF_INVALID';
      return reply
        .code(answer.status)
        .type(PROBLEM_JSON)
        .send(problem(code, answer.status, answer.body, { instance: '/add-checkpoint' }));
    });

    scope.get<{ Params: { hash: string } }>('/witness/:hash/checkpoint', async (request, reply) => {
      const { hash } = request.params;
      const note = /^[0-9a-f]{64}$/.test(hash) ? witness.latestByHash(hash) : undefined;
      if (note === undefined) {
        // "If the witness has never cosigned a checkpoint for that log, it MUST respond with a 404"
        return reply
          .code(404)
          .type(PROBLEM_JSON)
          .send(problem('NOT_FOUND', 404, 'this witness has cosigned no checkpoint of a log whose origin hashes to that', { instance: request.url }));
      }
      reply.header('cache-control', 'no-cache');
      return reply.code(200).type('text/plain; charset=utf-8').send(note);
    });

    scope.get('/witness/key', async (_request, reply) => {
      reply.header('cache-control', 'no-cache');
      return reply.code(200).type('text/plain; charset=utf-8').send(`${witness.cosignerKey()}\n`);
    });
  });
}
