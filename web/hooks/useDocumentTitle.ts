'use client';

import { useEffect } from 'react';

/**
 * The tab's title once the page knows what it shows (a sweep's name, a run's label). Set on the
 * document: a rendered <title> competes with the layout's default one, and the browser shows
 * whichever comes first in <head>. The server puts the same title in the HTML when it can
 * (lib/server/page-target.ts); this covers a page that signs in without reloading.
 */
export function useDocumentTitle(title: string | null): void {
  useEffect(() => {
    if (title !== null) document.title = title;
  }, [title]);
}
