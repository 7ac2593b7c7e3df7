/**
 * The two list shapes the gateway returns, defined once for every resource module, and the helpers that page
 * through them. The interviews, analysis and media services answer `Page<T>`; the users service answers
 * `Paginated<T>`.
 */

/** A page of the interviews, analysis and media services. */
export type Page<T> = { items: T[]; total: number; page: number; limit: number; totalPages: number };

export type Pagination = { total: number; page: number; limit: number; totalPages: number };

/** A page of the users service (companies, skills, candidate search). */
export type Paginated<T> = { success: boolean; data: T[]; pagination: Pagination };

/** The number of the page after `page`, or undefined on the last one (TanStack's `getNextPageParam`). */
export function nextPage(page: Pick<Page<unknown>, "page" | "totalPages">): number | undefined {
  return page.page < page.totalPages ? page.page + 1 : undefined;
}

/** Every item of a `Page<T>` list: pages 1, 2, … until the last one, reading at most `maxPages`. */
export async function collectPages<T>(fetchPage: (page: number) => Promise<Page<T>>, maxPages: number): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const result = await fetchPage(page);
    all.push(...result.items);
    if (page >= result.totalPages) break;
  }
  return all;
}

/** Every item of a `Paginated<T>` list: pages 1, 2, … until the last one, reading at most `maxPages`. */
export async function collectPaginated<T>(fetchPage: (page: number) => Promise<Paginated<T>>, maxPages: number): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= maxPages; page++) {
    const result = await fetchPage(page);
    all.push(...result.data);
    if (page >= result.pagination.totalPages) break;
  }
  return all;
}
