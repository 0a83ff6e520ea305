import type { CommandModule } from 'yargs';
import { RULES } from '../../core/rules/index.js';

export const rulesCommand: CommandModule<object, { json: boolean }> = {
  command: 'rules',
  describe: 'List every rule with its level, security severity and help',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print the catalogue as JSON' }),
  handler: (argv) => {
    if (argv.json) {
      process.stdout.write(JSON.stringify(RULES, null, 2) + '\n');
      return;
    }
    for (const r of RULES) {
      process.stdout.write(
        `${r.id}  ${r.name}  [${r.level}, severity ${r.severity}]\n  ${r.short}\n  ${r.help.replace(/\n/g, '\n  ')}\n\n`,
      );
    }
  },
};
