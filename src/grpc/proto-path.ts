import { join } from 'node:path';

/** `.proto` files sit in `proto/` beside the compiled code (copied there by the build). */
export function protoPath(relative: string): string {
  return join(__dirname, '..', 'proto', relative);
}
