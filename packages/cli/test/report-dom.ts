/** Reads the `--report` page's host rows back from the DOM chromium serialised. */

/** One host row as the browser built it. */
export interface RenderedHostRow {
  hostname: string;
  ready: boolean;
  /** Each check's id and its shown result: pass, fail or not decided. */
  checks: Array<{ id: string; state: string }>;
  /** The row's text, tags removed. */
  text: string;
}

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const decode = (text: string): string => text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity] as string);

/** Every `<tr data-host>` of the page, in order, with the checks its list shows. */
export function hostRowsOf(dom: string): RenderedHostRow[] {
  return [...dom.matchAll(/<tr data-host="([^"]*)" data-ready="(true|false)">([\s\S]*?)<\/tr>/g)].map(([, hostname = '', ready, body = '']) => ({
    hostname: decode(hostname),
    ready: ready === 'true',
    checks: [...body.matchAll(/<li class="[^"]*" data-check="([^"]*)" data-state="([^"]*)">[\s\S]*?<span class="result">([^<]*)<\/span>/g)].map(([, id = '', state = '', shown = '']) => {
      // What the attribute says is what the reader sees.
      if (state !== shown) throw new Error(`check ${id} is marked ${state} but shows ${shown}`);
      return { id: decode(id), state };
    }),
    text: decode(body.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim(),
  }));
}
