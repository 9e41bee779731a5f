import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import type { ServerResponse } from 'node:http';
import { projectRoot } from '../project-root.js';

/** Where `npm run build` puts the web console (web/, built by Vite). */
export const CONSOLE_DIR = join(projectRoot(), 'dist', 'web');

/**
 * The web console at `/`: its files, and index.html for every other path outside /api, so that a
 * link to /households/:id opens the console on that page. Everything under /api stays the API's
 * (an unknown API path is still a problem-details 404). Without a built console (a server-only
 * build, most API tests) nothing is mounted.
 */
export function consoleModule(dir = CONSOLE_DIR): DynamicModule[] {
  if (!existsSync(join(dir, 'index.html'))) return [];
  return [
    ServeStaticModule.forRoot({
      rootPath: dir,
      exclude: /^\/api(\/|$)/,
      serveStaticOptions: {
        index: 'index.html',
        // Vite names every asset by its content hash: cache those for a year, never index.html.
        setHeaders: (response: ServerResponse, path: string) => {
          response.setHeader(
            'Cache-Control',
            path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
          );
        },
      },
    }),
  ];
}
