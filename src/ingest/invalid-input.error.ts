/** Input refused at the service boundary; `field` is the path named in the 400/INVALID_ARGUMENT. */
export class InvalidInputError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'InvalidInputError';
  }
}
