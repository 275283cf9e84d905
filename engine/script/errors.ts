// The script-facing part of the error catalogue (engine/errors.ts), where the runtime's modules import it.
export { EXIT, ScriptError, TestAbortError } from '../errors.ts';
