import { describe, expect, it } from "vitest";
import { collectPages, collectPaginated, nextPage, type Page, type Paginated } from "@/lib/types";

const page = <T,>(items: T[], n: number, totalPages: number): Page<T> => ({ items, total: 99, page: n, limit: items.length, totalPages });
const paginated = <T,>(data: T[], n: number, totalPages: number): Paginated<T> => ({
  success: true,
  data,
  pagination: { total: 99, page: n, limit: data.length, totalPages },
});

describe("page helpers", () => {
  it("gives the next page number, or undefined on the last page", () => {
    expect(nextPage({ page: 1, totalPages: 3 })).toBe(2);
    expect(nextPage({ page: 3, totalPages: 3 })).toBeUndefined();
    expect(nextPage({ page: 1, totalPages: 0 })).toBeUndefined();
  });

  it("reads a Page<T> list page by page until its last page", async () => {
    const asked: number[] = [];
    const all = await collectPages(async (n) => {
      asked.push(n);
      return page([`a${n}`, `b${n}`], n, 3);
    }, 50);
    expect(asked).toEqual([1, 2, 3]);
    expect(all).toEqual(["a1", "b1", "a2", "b2", "a3", "b3"]);
  });

  it("reads a Paginated<T> list page by page until its last page", async () => {
    const asked: number[] = [];
    const all = await collectPaginated(async (n) => {
      asked.push(n);
      return paginated([n], n, 2);
    }, 50);
    expect(asked).toEqual([1, 2]);
    expect(all).toEqual([1, 2]);
  });

  it("stops after the page limit however many pages the server claims", async () => {
    const asked: number[] = [];
    await collectPages(async (n) => (asked.push(n), page([n], n, 1000)), 4);
    await collectPaginated(async (n) => (asked.push(n), paginated([n], n, 1000)), 2);
    expect(asked).toEqual([1, 2, 3, 4, 1, 2]);
  });

  it("reads one page of an empty list", async () => {
    expect(await collectPages(async (n) => page([], n, 0), 50)).toEqual([]);
    expect(await collectPaginated(async (n) => paginated([], n, 0), 50)).toEqual([]);
  });
});
