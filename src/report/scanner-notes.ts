import type { Notification } from '../core/stage.js';

/** Notifications that say the same about different files: one line of the job summary's "Scanner notes". */
export interface NoteGroup {
  readonly level: Notification['level'];
  /** The first one's message; the others differ from it only in the file they name. */
  readonly message: string;
  /** The other files, in the order they were reported. */
  readonly others: readonly string[];
}

/**
 * The notifications with one line per cause: thirty truncated pickles each said "<file> was only partly inspected by
 * pickle", thirty lines that differ only in the file. Notifications whose message, with their own path taken out,
 * is the same (at one level, for one rule) are one group, in the order of the first of each.
 */
export function groupNotes(notes: readonly Notification[]): NoteGroup[] {
  const groups = new Map<string, { level: Notification['level']; message: string; others: string[] }>();
  for (const n of notes) {
    const key = `${n.level}\0${n.ruleId ?? ''}\0${shapeOf(n)}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { level: n.level, message: n.message, others: [] });
    // A message without a file of its own joins only its exact repeat, which adds nothing to say.
    else if (n.path !== undefined) g.others.push(n.path);
  }
  return [...groups.values()];
}

/** The message with its own file taken out; one that names no file of its own is only the same as itself. */
function shapeOf(n: Notification): string {
  if (n.path === undefined || n.path === '' || !n.message.includes(n.path)) return `\0${n.message}`;
  return n.message.split(n.path).join('\0');
}
