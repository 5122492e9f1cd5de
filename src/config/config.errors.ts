import { FieldError } from '../errors/domain-error';

/** A configuration value that cannot be used: start-up stops and names the variable (the field). */
export class ConfigError extends FieldError {
  get variable(): string {
    return this.field;
  }
}
