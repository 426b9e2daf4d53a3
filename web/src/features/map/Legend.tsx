import { useEffect, useRef } from 'react';
import { AGENCY_COLOURS, colourIndex, drawSymbol, STATUS_SHAPES, type Shape } from './symbols.ts';

function Symbol({ shape, colour, label }: { readonly shape: Shape; readonly colour: string; readonly label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx !== null && ctx !== undefined) drawSymbol(ctx, shape, colour, 40);
  }, [shape, colour]);
  return (
    <li>
      <canvas ref={ref} width={40} height={40} className="legend-symbol" aria-hidden="true" /> {label}
    </li>
  );
}

/** the map's key: a colour per agency, a shape per unit status, the incident and request symbols */
export function Legend({ agencies }: { readonly agencies: readonly { readonly id: string; readonly name: string }[] }) {
  const ids = agencies.map((a) => a.id);
  return (
    <div className="legend" aria-label="Map legend" role="group">
      <ul>
        {agencies.map((a) => (
          <Symbol key={a.id} shape="square" colour={AGENCY_COLOURS[colourIndex(a.id, ids)] as string} label={a.name} />
        ))}
      </ul>
      <ul>
        {STATUS_SHAPES.filter((s, i, all) => all.findIndex((x) => x.shape === s.shape) === i).map((s) => (
          <Symbol
            key={s.shape}
            shape={s.shape}
            colour="#7F7F7F"
            label={STATUS_SHAPES.filter((x) => x.shape === s.shape)
              .map((x) => x.label)
              .join(', ')}
          />
        ))}
        <Symbol shape="star" colour="#B00020" label="incident" />
        <Symbol shape="pin" colour="#222222" label="request location" />
      </ul>
    </div>
  );
}
