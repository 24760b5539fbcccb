/** One fenced code block of a Markdown file: ```lang tag tag ... */
export interface ReadmeBlock {
  /** The language after the fence (`ts`, `json`, `sh`, or '' when none). */
  lang: string;
  /** The words after the language, e.g. `example`, `run`, `tsconfig`. */
  tags: string[];
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** The fenced blocks of `markdown`, in order (``` fences at the start of a line; no nesting). */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const out: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [lang = '', ...tags] = open[1]!.trim().split(/\s+/).filter(Boolean);
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`the code block opened at line ${start + 1} is never closed`);
    out.push({ lang, tags, body: body.join('\n') + '\n', line: start + 1 });
  }
  return out;
}
