/**
 * A Dockerfile as the shell lines its `RUN` instructions make. Inside an instruction a trailing `\` continues,
 * BuildKit's parser (frontend/dockerfile/parser `Parse`, `isEmptyContinuationLine`) drops each following line that
 * is blank or a comment (`#` after leading blanks) and goes on with the next, where a shell would end the command:
 * `RUN pip install \` + `# pinned` + `git+https://…` installs the URL. Such a line is written as a bare `\`, which
 * continues the command for the shell-line readers. One output line per input line, so findings keep their lines.
 */
export function dockerfileCommands(text: string): string {
  let continuing = false;
  return text
    .split('\n')
    .map((line) => {
      if (continuing && /^\s*(#|$)/.test(line)) return '\\';
      continuing = line.trimEnd().endsWith('\\');
      return line;
    })
    .join('\n');
}
