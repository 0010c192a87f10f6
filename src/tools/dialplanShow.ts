/** One context's block in the output of Asterisk's `dialplan show <number>@<context>`. */
export interface DialplanBlock {
  readonly context: string;
  /** The extensions (names or patterns) of this context that match and have a priority 1. */
  readonly answering: readonly string[];
}

/**
 * Parses `dialplan show <number>@<context>`: the context's own matching extensions first, then
 * those of its includes, depth first, in the order Asterisk searches them. An extension whose
 * first listed priority is not 1 (Debian's stdexten `_X.` starts at 50000) answers no call.
 */
export function parseDialplanShow(text: string): DialplanBlock[] {
  const blocks: Array<{ context: string; answering: string[] }> = [];
  for (const line of text.split('\n')) {
    const header = /^\[ (?:Included c|C)ontext '([^']+)'/.exec(line);
    if (header?.[1]) {
      blocks.push({ context: header[1], answering: [] });
      continue;
    }
    const extension = /^\s+'([^']+)' =>\s+1\.\s/.exec(line);
    if (extension?.[1]) blocks[blocks.length - 1]?.answering.push(extension[1]);
  }
  return blocks;
}

/** The context whose extension a call to that number meets first, if any answers it. */
export function answeringBlock(blocks: readonly DialplanBlock[]): DialplanBlock | undefined {
  return blocks.find((block) => block.answering.length > 0);
}

/** Asterisk's answer when the context is not in the dialplan at all. */
export function isMissingContext(text: string): boolean {
  return /There is no existence of '[^']+' context/.test(text);
}
