/**
 * What the map draws for each thing, so that colour is never the only sign:
 * a unit's agency is its colour, its status is its shape (and the legend
 * names both); the incident is a star, a request's location a pin-ring.
 * Shapes are drawn on a canvas and given to MapLibre as images
 * (map.addImage), named "<shape>:<colour index>".
 */

export type Shape = 'circle' | 'triangle' | 'square' | 'diamond' | 'cross' | 'ring' | 'star' | 'pin';

/** CAD statuses (domain/vocabulary.ts UNIT_STATUSES) → shape */
export const STATUS_SHAPES: readonly { readonly status: string; readonly label: string; readonly shape: Shape }[] = [
  { status: 'available', label: 'available', shape: 'circle' },
  { status: 'dispatched', label: 'dispatched', shape: 'triangle' },
  { status: 'en_route', label: 'en route', shape: 'triangle' },
  { status: 'on_scene', label: 'on scene', shape: 'square' },
  { status: 'returning', label: 'returning', shape: 'diamond' },
  { status: 'out_of_service', label: 'out of service', shape: 'cross' },
  { status: '', label: 'no status reported', shape: 'ring' },
];

export function shapeOf(status: string | undefined): Shape {
  return STATUS_SHAPES.find((s) => s.status === (status ?? ''))?.shape ?? 'ring';
}

/**
 * Agency colours (Okabe–Ito, told apart by the common colour-blindnesses),
 * each drawn with a dark outline and a light halo so it reads on a light
 * or a dark basemap; assigned in the order the incident lists its agencies.
 */
export const AGENCY_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#7F7F7F'] as const;

export function colourIndex(agency: string, agencies: readonly string[]): number {
  const i = agencies.indexOf(agency);
  return (i < 0 ? agencies.length : i) % AGENCY_COLOURS.length;
}

export const ICON_PX = 24;

function path(ctx: CanvasRenderingContext2D, shape: Shape, s: number): void {
  const c = s / 2;
  const r = s * 0.36;
  ctx.beginPath();
  switch (shape) {
    case 'circle':
    case 'ring':
      ctx.arc(c, c, r, 0, Math.PI * 2);
      break;
    case 'square':
      ctx.rect(c - r * 0.9, c - r * 0.9, r * 1.8, r * 1.8);
      break;
    case 'triangle':
      ctx.moveTo(c, c - r * 1.1);
      ctx.lineTo(c + r * 1.05, c + r * 0.8);
      ctx.lineTo(c - r * 1.05, c + r * 0.8);
      ctx.closePath();
      break;
    case 'diamond':
      ctx.moveTo(c, c - r * 1.15);
      ctx.lineTo(c + r * 1.15, c);
      ctx.lineTo(c, c + r * 1.15);
      ctx.lineTo(c - r * 1.15, c);
      ctx.closePath();
      break;
    case 'cross': {
      const w = r * 0.45;
      for (const a of [Math.PI / 4, -Math.PI / 4]) {
        const dx = Math.cos(a);
        const dy = Math.sin(a);
        ctx.moveTo(c - dx * r * 1.1 - dy * w, c - dy * r * 1.1 + dx * w);
        ctx.lineTo(c + dx * r * 1.1 - dy * w, c + dy * r * 1.1 + dx * w);
        ctx.lineTo(c + dx * r * 1.1 + dy * w, c + dy * r * 1.1 - dx * w);
        ctx.lineTo(c - dx * r * 1.1 + dy * w, c - dy * r * 1.1 - dx * w);
        ctx.closePath();
      }
      break;
    }
    case 'star':
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const rr = i % 2 === 0 ? r * 1.3 : r * 0.55;
        if (i === 0) ctx.moveTo(c + Math.cos(a) * rr, c + Math.sin(a) * rr);
        else ctx.lineTo(c + Math.cos(a) * rr, c + Math.sin(a) * rr);
      }
      ctx.closePath();
      break;
    case 'pin':
      ctx.arc(c, c, r, 0, Math.PI * 2);
      ctx.moveTo(c + r * 0.4, c);
      ctx.arc(c, c, r * 0.4, 0, Math.PI * 2, true);
      break;
  }
}

/** draws one symbol: a light halo, the fill (hollow for a ring), a dark outline */
export function drawSymbol(ctx: CanvasRenderingContext2D, shape: Shape, fill: string, size: number = ICON_PX): void {
  ctx.clearRect(0, 0, size, size);
  ctx.lineJoin = 'round';
  path(ctx, shape, size);
  ctx.lineWidth = size * 0.2;
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  ctx.stroke();
  if (shape === 'ring') {
    ctx.lineWidth = size * 0.14;
    ctx.strokeStyle = fill;
    ctx.stroke();
  } else {
    ctx.fillStyle = fill;
    ctx.fill('evenodd');
  }
  ctx.lineWidth = size * 0.06;
  ctx.strokeStyle = '#111';
  ctx.stroke();
}

/** an image name MapLibre asks for ("square:2") → what to draw, or undefined for a name that is not ours */
export function parseImageName(name: string): { shape: Shape; colour: string } | undefined {
  const m = /^(circle|triangle|square|diamond|cross|ring|star|pin):(\d+|incident|request)$/.exec(name);
  if (m === null) return undefined;
  const shape = m[1] as Shape;
  const k = m[2] as string;
  const colour = k === 'incident' ? '#B00020' : k === 'request' ? '#222222' : AGENCY_COLOURS[Number(k) % AGENCY_COLOURS.length];
  return colour === undefined ? undefined : { shape, colour };
}
