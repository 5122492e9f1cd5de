import { type INestApplication, Injectable, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const DOCS_PATH = 'docs';

/**
 * Serves the OpenAPI document of every Nest controller at `/docs` (Swagger UI) and
 * `/docs-json`, generated from their decorators.
 *
 * SwaggerModule reads the application's module container, its configuration (for a global
 * prefix; there is none) and its HTTP adapter; those are handed to it here from the injector,
 * so the admin API documents itself from its own module without a step in `main.ts`.
 */
@Injectable()
export class OpenApiDocs implements OnModuleInit {
  constructor(
    private readonly modules: ModulesContainer,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const app = {
      container: { getModules: () => this.modules },
      config: new ApplicationConfig(),
      getHttpAdapter: () => this.adapterHost.httpAdapter,
    } as unknown as INestApplication;
    const config = new DocumentBuilder()
      .setTitle('Samplane')
      .setDescription(
        'Admin API of the Samplane adaptive sampling control plane. Admin endpoints need ' +
          '`Authorization: Bearer <token>` (ADMIN_TOKENS): viewer tokens read, operator tokens write.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A token from ADMIN_TOKENS.' })
      .build();
    SwaggerModule.setup(DOCS_PATH, app, () => namedWildcards(SwaggerModule.createDocument(app, config)));
  }
}

/**
 * Routes that take a service by wildcard are documented with their `{service}` parameter
 * alone, not with the router's name for the wildcard.
 */
function namedWildcards(document: OpenAPIObject): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.endsWith('/{path}')) {
      paths[path] = item;
      continue;
    }
    const renamed: Record<string, unknown> = { ...item };
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head'] as const) {
      const operation = item[method];
      if (!operation) continue;
      renamed[method] = {
        ...operation,
        parameters: operation.parameters?.filter((p) => !('name' in p) || p.name !== '*'),
      };
    }
    paths[path.replace(/\{path\}$/, '{service}')] = renamed;
  }
  return { ...document, paths };
}
