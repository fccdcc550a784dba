/**
 * A tiny markdown renderer for the CGU text: headings (#…), paragraphs, ordered and unordered
 * lists, **bold** and *emphasis*. It builds Vue nodes whose text is always TEXT (never parsed as
 * HTML, never v-html): a CGU file holding `<script>` or `<img onerror>` shows those characters,
 * it cannot run them. Anything else markdown knows is shown as plain text.
 */
import { defineComponent, h, type VNode } from 'vue';

type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] };

export function parseBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: string[] } | null = null;
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    if (list) blocks.push({ kind: 'list', ...list });
    paragraph = [];
    list = null;
  };
  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (line === '' || /^<!--.*-->$/.test(line)) {
      flush();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
      continue;
    }
    const item = /^(?:(\d+)[.)]|[-*+])\s+(.*)$/.exec(line);
    if (item) {
      const ordered = item[1] !== undefined;
      if (paragraph.length || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(item[2]!);
      continue;
    }
    if (list) {
      // A continuation line of the last item.
      list.items[list.items.length - 1] += ` ${line}`;
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return blocks;
}

/** `**bold**` and `*em*` (or `_em_`) as nodes; every other character stays text. */
export function inline(text: string): (VNode | string)[] {
  const out: (VNode | string)[] = [];
  const pattern = /\*\*(.+?)\*\*|\*(.+?)\*|_(.+?)_/g;
  let last = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(m[1] !== undefined ? h('strong', m[1]) : h('em', m[2] ?? m[3]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export default defineComponent({
  name: 'SafeMarkdown',
  props: {
    source: { type: String, required: true },
    /** The level of the text's first heading level (the page already has its h1). */
    headingBase: { type: Number, default: 2 },
  },
  setup(props) {
    return () =>
      h(
        'div',
        { class: 'markdown' },
        parseBlocks(props.source).map((b) => {
          if (b.kind === 'heading') return h(`h${Math.min(6, props.headingBase + b.level - 1)}`, inline(b.text));
          if (b.kind === 'paragraph') return h('p', inline(b.text));
          return h(
            b.ordered ? 'ol' : 'ul',
            b.items.map((i) => h('li', inline(i))),
          );
        }),
      );
  },
});
