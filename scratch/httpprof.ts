import { benchServer } from '../bench/server.ts';
const r = await benchServer({ clients: 100, perClient: 20, feedClients: 10, eventsPerSecond: 50, feedSeconds: 1 });
console.log(JSON.stringify((r as any).commands, null, 1));
