/**
 * Entry point named by Pulumi.yaml (`main: infra/`). Pulumi runs the default export and turns
 * what it returns into the stack outputs; the program itself lives in program.ts.
 */
import { paddockProgram } from './program.ts';

export default paddockProgram;
