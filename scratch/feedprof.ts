import { benchServer } from '../bench/server.ts';
import { LedgerFeed } from '../src/app/feed.ts';
const P = LedgerFeed.prototype as any;
const orig = P.deliverRun;
let runs = 0, entries = 0, sends = 0;
P.deliverRun = function (l: any, run: any[]) { runs++; entries += run.length; return orig.call(this, l, run); };
const r = await benchServer({ clients: 2, perClient: 2, feedClients: 1000, eventsPerSecond: 500, feedSeconds: 5 });
console.log(JSON.stringify((r as any).feed, null, 1));
console.log({ runs, entries });
