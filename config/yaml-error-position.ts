/**
 * Where a YAML syntax error really is. The `yaml` parser reports some errors where it noticed
 * them, not where the mistake was made: an unclosed quote or flow collection at the end of the
 * file, a badly indented key at the start of its line. This moves such positions to the
 * opening quote or bracket, and to the key itself (pure).
 */
import { isCollection, isScalar, LineCounter, visit, type Document, type YAMLError } from 'yaml';

export interface YamlPosition {
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly col: number;
}

/** The innermost node of the kind the error is about that is still open at `offset`. */
function openingOffset(doc: Document, offset: number, wanted: 'flow' | 'quoted'): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Node(_key, node) {
      const range = node.range;
      if (!range || range[0] > offset || range[2] < offset) return;
      const matches = wanted === 'flow' ? isCollection(node) && node.flow === true : isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
      if (matches && (found === undefined || range[0] > found)) found = range[0];
    },
  });
  return found;
}

export function yamlErrorOffset(text: string, doc: Document, error: YAMLError): number {
  const offset = error.pos[0];
  const message = error.message;
  if (error.code === 'MISSING_CHAR' && /quote/.test(message)) return openingOffset(doc, offset, 'quoted') ?? offset;
  if (/^Flow (sequence|map|collection)/.test(message)) return openingOffset(doc, offset, 'flow') ?? offset;
  if (error.code === 'BAD_INDENT' || error.code === 'MISSING_CHAR') {
    // reported at the start of the line: the mistake is its first character (spaces skipped, tabs are errors of their own)
    let at = offset;
    while (text[at] === ' ') at++;
    if (at < text.length && text[at] !== '\n') return at;
  }
  return offset;
}

export function yamlErrorPosition(text: string, doc: Document, error: YAMLError): YamlPosition {
  const counter = new LineCounter();
  counter.addNewLine(0);
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) counter.addNewLine(at + 1);
  return counter.linePos(yamlErrorOffset(text, doc, error));
}
