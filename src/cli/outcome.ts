/** Commands set the exit code here (yargs handlers cannot return one). */
export const cliOutcome = { exitCode: 0 };
