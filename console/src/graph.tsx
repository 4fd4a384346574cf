import cytoscape, { type ElementDefinition } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { useEffect, useRef } from 'preact/hooks';
import { t } from './i18n';

cytoscape.use(dagre);

/*
 * A directed graph laid out by dagre (cytoscape-dagre), with cytoscape's own
 * pan and zoom: the voucher tree and the provenance picture. The graph is a
 * picture; the views list the same nodes as text beside it for screen readers
 * and keyboards.
 */

export interface GraphNode {
  id: string;
  label: string;
  /** Drives the colour: a voucher status, `RECEIVABLE`, or `FOCUS` / `FOCUS_REFUSED` (the piece under review, financeable or not). */
  kind: string;
}

export interface GraphEdge {
  from: string;
  to: string;
}

const COLOURS: Record<string, string> = {
  ACTIVE: '#2e7d32',
  SPLIT: '#78909c',
  FINANCING_PENDING: '#ef6c00',
  FINANCED: '#1565c0',
  SETTLED: '#6a1b9a',
  RECEIVABLE: '#8d6e63',
  FOCUS: '#00695c',
  FOCUS_REFUSED: '#c62828',
};

const FONT_SIZE = 11;
const FONT_FAMILY = 'Helvetica Neue, Helvetica, Arial, sans-serif';
const MIN_NODE_WIDTH = 170;
const NODE_PADDING = 20;
let measurer: CanvasRenderingContext2D | null | undefined;

/**
 * A node wide enough for the longest line of its label at the nodes' font,
 * measured as the canvas draws it: a fixed width cut off the ids of pieces
 * three tiers down and a FINANCING_PENDING piece's amount.
 */
function nodeWidth(label: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer) return MIN_NODE_WIDTH;
  measurer.font = `${FONT_SIZE}px ${FONT_FAMILY}`;
  const widest = Math.max(...label.split('\n').map((line) => measurer!.measureText(line).width));
  return Math.max(MIN_NODE_WIDTH, Math.ceil(widest) + NODE_PADDING);
}

const naturally = new Intl.Collator('en', { numeric: true });
/**
 * Elements by id, last first: dagre places the siblings it is given in the
 * reverse order (seen on the auditor's tree), so this draws .1 left of .2,
 * as the list beside the graph has them, numbers by value (.2 before .10).
 */
const byId = (a: cytoscape.SingularElementArgument, b: cytoscape.SingularElementArgument): number => naturally.compare(b.id(), a.id());

export function Graph(props: { nodes: GraphNode[]; edges: GraphEdge[]; label: string; direction?: 'TB' | 'LR'; onSelect?: (id: string) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<cytoscape.Core | undefined>(undefined);
  useEffect(() => {
    if (!container.current) return undefined;
    const elements: ElementDefinition[] = [
      ...props.nodes.map((n) => ({ data: { id: n.id, label: n.label, colour: COLOURS[n.kind] ?? '#455a64', width: nodeWidth(n.label) } })),
      ...props.edges.map((e) => ({ data: { id: `${e.from}->${e.to}`, source: e.from, target: e.to } })),
    ];
    const core = cytoscape({
      container: container.current,
      elements,
      minZoom: 0.05,
      maxZoom: 3,
      wheelSensitivity: 0.3,
      style: [
        {
          selector: 'node',
          style: {
            shape: 'round-rectangle',
            'background-color': 'data(colour)',
            label: 'data(label)',
            color: '#fff',
            'font-size': FONT_SIZE,
            'font-family': FONT_FAMILY,
            'text-wrap': 'wrap',
            'text-valign': 'center',
            'text-halign': 'center',
            width: 'data(width)',
            height: 58,
          },
        },
        { selector: 'edge', style: { width: 2, 'line-color': '#90a4ae', 'target-arrow-color': '#90a4ae', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } },
        { selector: 'node:selected', style: { 'border-width': 4, 'border-color': '#ffb300' } },
      ],
      layout: { name: 'dagre', rankDir: props.direction ?? 'TB', nodeSep: 20, rankSep: 50, sort: byId } as cytoscape.LayoutOptions,
    });
    if (props.onSelect) {
      const select = props.onSelect;
      core.on('tap', 'node', (e) => select((e.target as cytoscape.NodeSingular).id()));
    }
    cy.current = core;
    return () => {
      core.destroy();
      cy.current = undefined;
    };
  }, [props.nodes, props.edges]);
  return (
    <div class="graph-wrap">
      <div class="graph" ref={container} role="img" aria-label={props.label} data-node-count={props.nodes.length} />
      <button type="button" class="secondary" onClick={() => cy.current?.fit(undefined, 20)}>
        {t('auditor.fit')}
      </button>
    </div>
  );
}
