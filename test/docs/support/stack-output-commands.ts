/**
 * `pulumi stack output` commands written in docs and scripts, and whether the output each
 * names exists. A command ends at the end of its line, a closing backtick, `)`, `|`, `;`, `&`,
 * `#` or a redirection; quotes around a word are dropped, and so are the flags (`-s/--stack X` is read, any
 * other word starting with `-` is dropped): what is left is the output name, if any.
 */

export interface StackOutputCommand {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** the stack after -s/--stack; undefined when none is given or it is a shell variable */
  readonly stack: string | undefined;
  /** the output named; undefined for `pulumi stack output` listing them all */
  readonly name: string | undefined;
}

const COMMAND = /pulumi stack output\b([^\n`)|;&#<>]*)/g;
const FLAGS_WITH_VALUE = new Set(['-s', '--stack', '-C', '--cwd', '--color']);

export function stackOutputCommands(file: string, text: string): StackOutputCommand[] {
  const found: StackOutputCommand[] = [];
  text.split('\n').forEach((lineText, index) => {
    // a `<team>` placeholder is not a redirection: shield its brackets while the command is cut out
    const shielded = lineText.replace(/<([a-z][a-z-]*)>/g, '\u0001$1\u0002');
    for (const match of shielded.matchAll(COMMAND)) {
      const words = match[1]!
        .replace(/\u0001/g, '<')
        .replace(/\u0002/g, '>')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((w) => w.replace(/^['"]|['"]$/g, ''));
      let stack: string | undefined;
      const positional: string[] = [];
      for (let i = 0; i < words.length; i++) {
        const word = words[i]!;
        if (FLAGS_WITH_VALUE.has(word)) stack = words[++i];
        else if (/^--stack=/.test(word)) stack = word.slice('--stack='.length);
        else if (!word.startsWith('-')) positional.push(word);
      }
      if (stack?.includes('$')) stack = undefined;
      if (positional.length > 1) throw new Error(`${file}:${index + 1}: cannot read "${match[0].trim()}": more than one output name (${positional.join(', ')})`);
      found.push({ file, line: index + 1, text: match[0].replace(/\u0001/g, '<').replace(/\u0002/g, '>').trim(), stack, name: positional[0] });
    }
  });
  return found;
}

/** A doc's stand-in for a name: `<team>`, `$TEAM`, `${TEAM}`. */
const PLACEHOLDER = /<[a-z-]+>|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/;
const DNS_LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with each of `holes` standing for any DNS label. */
function templateOf(text: string, holes: RegExp): RegExp {
  return new RegExp(`^${text.split(holes).map(escape).join(DNS_LABEL)}$`);
}

/**
 * Whether `name` is one of `outputs`. An output whose name carries a team's name (the program
 * names them `teamApiToken-<team>`) stands for that output of every team, so a doc may name a
 * team the shipped stack does not have, or write a placeholder for it.
 */
export function namesOutput(name: string, outputs: readonly string[], teams: readonly string[]): boolean {
  if (outputs.includes(name)) return true;
  const docTemplate = PLACEHOLDER.test(name) ? templateOf(name, new RegExp(PLACEHOLDER.source, 'g')) : undefined;
  return outputs.some((output) =>
    teams.some((team) => output.endsWith(`-${team}`) && (templateOf(output, new RegExp(`(?<=-)${escape(team)}$`)).test(name) || docTemplate?.test(output) === true)),
  );
}
