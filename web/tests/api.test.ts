import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError, api, buildUrl, configureApi, errorMessage, getApiBase, plainWords, request, setFetch } from "@/lib/api";

const BASE = "http://gateway.test";

type Call = { url: string; init: RequestInit };

/** A stand-in for the browser's fetch: records every call and answers with `handler`. */
function transport(handler: (url: string, init: RequestInit, calls: Call[]) => Response | Promise<Response>) {
  const calls: Call[] = [];
  setFetch(async (input, init) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return handler(call.url, call.init, calls);
  });
  return calls;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

function envelope(statusCode: number, code: string, error: string, details?: unknown): Response {
  return json(statusCode, { success: false, statusCode, code, error, ...(details ? { details } : {}) });
}

const paths = (calls: Call[]) => calls.map((c) => new URL(c.url).pathname);

beforeEach(() => configureApi(BASE));
afterEach(() => setFetch((...args) => fetch(...args)));

describe("request", () => {
  it("sends GETs with the cookies and parses the JSON body", async () => {
    const calls = transport(() => json(200, { id: "t1", title: "Backend" }));

    const body = await api.get<{ id: string }>("/api/templates/t1");

    expect(body).toEqual({ id: "t1", title: "Backend" });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe(`${BASE}/api/templates/t1`);
    expect(calls[0].init.method).toBe("GET");
    expect(calls[0].init.credentials).toBe("include");
    expect((calls[0].init.headers as Record<string, string>).Accept).toBe("application/json");
    expect(calls[0].init.body).toBeUndefined();
  });

  it("sends a JSON body with its content type for POST, PUT and PATCH; DELETE has none", async () => {
    const calls = transport(() => json(200, {}));

    await api.post("/api/templates", { title: "T" });
    await api.put("/api/templates/t1/publish");
    await api.patch("/api/users/me", { firstName: "Ann" });
    await api.delete("/api/templates/t1");

    expect(calls.map((c) => c.init.method)).toEqual(["POST", "PUT", "PATCH", "DELETE"]);
    expect(calls.map((c) => c.init.body)).toEqual(['{"title":"T"}', "{}", '{"firstName":"Ann"}', undefined]);
    expect((calls[0].init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect((calls[3].init.headers as Record<string, string>)["Content-Type"]).toBeUndefined();
  });

  it("passes FormData through untouched so the browser sets the multipart boundary", async () => {
    const calls = transport(() => json(201, { id: "m1" }));
    const form = new FormData();
    form.append("file", new Blob(["x"]), "a.webm");

    await api.post("/api/media/upload", form);

    expect(calls[0].init.body).toBe(form);
    expect((calls[0].init.headers as Record<string, string>)["Content-Type"]).toBeUndefined();
  });

  it("merges extra headers", async () => {
    const calls = transport(() => json(200, {}));

    await api.post("/api/invitations", { templateId: "t" }, { "Idempotency-Key": "k1" });

    expect((calls[0].init.headers as Record<string, string>)["Idempotency-Key"]).toBe("k1");
  });

  it("answers undefined for 204 and for an empty 200", async () => {
    transport((url) => (url.endsWith("/none") ? new Response(null, { status: 204 }) : new Response("", { status: 200 })));

    await expect(api.delete("/api/templates/none")).resolves.toBeUndefined();
    await expect(api.get("/api/empty")).resolves.toBeUndefined();
  });
});

describe("ApiError from the gateway's envelope", () => {
  it("carries statusCode, code, message and field details", async () => {
    transport(() =>
      envelope(422, "VALIDATION_ERROR", "Validation failed", [
        { field: "title", message: "Title is required", type: "missing" },
        { field: "questions.0.text", message: "Too short" },
        { message: "A detail without a field" },
      ]),
    );

    const error = await api.post("/api/templates", {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    const e = error as ApiError;
    expect(e.statusCode).toBe(422);
    expect(e.code).toBe("VALIDATION_ERROR");
    expect(e.message).toBe("Validation failed");
    expect(e.name).toBe("ApiError");
    expect(Array.isArray(e.details) && e.details[0].type).toBe("missing");
    expect(e.fieldErrors()).toEqual({ title: "Title is required", "questions.0.text": "Too short" });
    expect(errorMessage(e)).toBe("Validation failed");
  });

  it("has no field errors when details is an object or absent", async () => {
    transport((url) =>
      url.endsWith("/a")
        ? json(409, { success: false, statusCode: 409, code: "CONFLICT", error: "Already published", details: { id: "t1" } })
        : envelope(404, "NOT_FOUND", "Template not found"),
    );

    const conflict = (await api.get("/api/a").catch((e: unknown) => e)) as ApiError;
    const missing = (await api.get("/api/b").catch((e: unknown) => e)) as ApiError;

    expect(conflict.details).toEqual({ id: "t1" });
    expect(conflict.fieldErrors()).toEqual({});
    expect([missing.statusCode, missing.code, missing.message]).toEqual([404, "NOT_FOUND", "Template not found"]);
    expect(missing.details).toBeUndefined();
    expect(missing.fieldErrors()).toEqual({});
  });

  it("joins a list of messages and falls back to `message`", async () => {
    transport((url) =>
      url.endsWith("/list") ? json(400, { error: ["one", "two"] }) : json(400, { message: "from message" }),
    );

    expect(((await api.get("/api/list").catch((e: unknown) => e)) as ApiError).message).toBe("one, two");
    expect(((await api.get("/api/msg").catch((e: unknown) => e)) as ApiError).message).toBe("from message");
  });

  it("keeps the HTTP status in the code and says in plain words what failed when the body is not JSON", async () => {
    transport(() => new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));

    const e = (await api.get("/api/x").catch((e: unknown) => e)) as ApiError;

    expect([e.statusCode, e.code, e.message]).toEqual([502, "HTTP_502", "Something went wrong on our side. Please try again in a moment."]);
  });

  it("turns a transport failure into NETWORK_ERROR", async () => {
    setFetch(() => Promise.reject(new TypeError("Failed to fetch")));

    const e = (await api.get("/api/x").catch((e: unknown) => e)) as ApiError;

    expect(e).toBeInstanceOf(ApiError);
    expect([e.statusCode, e.code]).toEqual([0, "NETWORK_ERROR"]);
    expect(e.message).toMatch(/cannot be reached/);
  });

  it("lets an abort through as an AbortError", async () => {
    setFetch(() => Promise.reject(new DOMException("aborted", "AbortError")));

    const e = await api.get("/api/x").catch((e: unknown) => e);

    expect(e).toBeInstanceOf(DOMException);
    expect((e as DOMException).name).toBe("AbortError");
  });

  it("errorMessage has a sentence for anything thrown", () => {
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage("weird")).toBe("Something went wrong");
  });
});

describe("401: one shared refresh, then one retry", () => {
  it("refreshes once for concurrent callers and retries each once", async () => {
    let refreshed = false;
    let releaseRefresh: () => void = () => {};
    const refreshGate = new Promise<void>((resolve) => (releaseRefresh = resolve));
    const calls = transport(async (url) => {
      const path = new URL(url).pathname;
      if (path === "/auth/refresh") {
        await refreshGate;
        refreshed = true;
        return json(200, { success: true });
      }
      return refreshed ? json(200, { path }) : envelope(401, "UNAUTHORIZED", "Token expired");
    });

    const pending = Promise.all([api.get("/api/a"), api.get("/api/b"), api.post("/api/c", { x: 1 })]);
    // Let every caller see its 401 and join the refresh before it completes.
    await new Promise((resolve) => setTimeout(resolve, 10));
    releaseRefresh();
    const results = await pending;

    expect(results).toEqual([{ path: "/api/a" }, { path: "/api/b" }, { path: "/api/c" }]);
    const seen = paths(calls);
    expect(seen.filter((p) => p === "/auth/refresh")).toHaveLength(1);
    for (const p of ["/api/a", "/api/b", "/api/c"]) expect(seen.filter((s) => s === p)).toHaveLength(2);
    const refresh = calls.find((c) => c.url.endsWith("/auth/refresh"))!;
    expect(refresh.init.method).toBe("POST");
    expect(refresh.init.credentials).toBe("include");
    // The retry repeats the request as it was.
    expect(calls.filter((c) => c.url.endsWith("/api/c")).map((c) => c.init.body)).toEqual(['{"x":1}', '{"x":1}']);
  });

  it("retries only once: a second 401 surfaces", async () => {
    const calls = transport((url) =>
      url.endsWith("/auth/refresh") ? json(200, {}) : envelope(401, "UNAUTHORIZED", "Still not allowed"),
    );

    const e = (await api.get("/api/a").catch((e: unknown) => e)) as ApiError;

    expect([e.statusCode, e.message]).toEqual([401, "Still not allowed"]);
    expect(paths(calls)).toEqual(["/api/a", "/auth/refresh", "/api/a"]);
  });

  it("surfaces the original 401 when the refresh fails, without a retry", async () => {
    const calls = transport((url) =>
      url.endsWith("/auth/refresh")
        ? envelope(401, "INVALID_REFRESH_TOKEN", "Refresh token expired")
        : envelope(401, "UNAUTHORIZED", "Access token expired"),
    );

    const e = (await api.get("/api/a").catch((e: unknown) => e)) as ApiError;

    expect([e.statusCode, e.code, e.message]).toEqual([401, "UNAUTHORIZED", "Access token expired"]);
    expect(paths(calls)).toEqual(["/api/a", "/auth/refresh"]);
  });

  it("treats a refresh that cannot reach the server as failed", async () => {
    setFetch(async (input) => {
      if (String(input).endsWith("/auth/refresh")) throw new TypeError("Failed to fetch");
      return envelope(401, "UNAUTHORIZED", "Access token expired");
    });

    const e = (await api.get("/api/a").catch((e: unknown) => e)) as ApiError;

    expect([e.statusCode, e.code]).toEqual([401, "UNAUTHORIZED"]);
  });

  it("does not refresh for /auth/* calls", async () => {
    const calls = transport(() => envelope(401, "UNAUTHORIZED", "Not signed in"));

    const e = (await api.post("/auth/logout").catch((e: unknown) => e)) as ApiError;

    expect(e.statusCode).toBe(401);
    expect(paths(calls)).toEqual(["/auth/logout"]);
  });

  it("starts a new refresh after the previous one settled", async () => {
    let expired = true;
    const calls = transport((url) => {
      if (url.endsWith("/auth/refresh")) {
        expired = false;
        return json(200, {});
      }
      return expired ? envelope(401, "UNAUTHORIZED", "expired") : json(200, {});
    });

    await api.get("/api/a");
    expired = true;
    await api.get("/api/b");

    expect(paths(calls).filter((p) => p === "/auth/refresh")).toHaveLength(2);
  });
});

describe("URLs", () => {
  it("builds the query, skipping empty values and repeating arrays", () => {
    const url = new URL(
      buildUrl("/api/invitations/hr", {
        page: 2,
        limit: 10,
        status: "completed",
        search: "",
        templateId: undefined,
        companyName: null,
        includeArchived: false,
        tag: ["a", "b c"],
      }),
    );

    expect(url.origin + url.pathname).toBe(`${BASE}/api/invitations/hr`);
    expect([...url.searchParams.entries()]).toEqual([
      ["page", "2"],
      ["limit", "10"],
      ["status", "completed"],
      ["includeArchived", "false"],
      ["tag", "a"],
      ["tag", "b c"],
    ]);
  });

  it("sends the query of a GET", async () => {
    const calls = transport(() => json(200, { items: [] }));

    await api.get("/api/users", { search: "ann", page: 1 });

    expect(calls[0].url).toBe(`${BASE}/api/users?search=ann&page=1`);
  });

  it("keeps an absolute URL and strips trailing slashes from the configured base", async () => {
    configureApi("http://other.test:8001///");

    expect(getApiBase()).toBe("http://other.test:8001");
    expect(buildUrl("/api/x")).toBe("http://other.test:8001/api/x");
    expect(buildUrl("https://s3.test/bucket/key?sig=1", { part: 2 })).toBe("https://s3.test/bucket/key?sig=1&part=2");
    const calls = transport(() => json(200, {}));
    await request("/api/y", { method: "GET" });
    expect(calls[0].url).toBe("http://other.test:8001/api/y");
  });
});

describe("errors in plain words", () => {
  it("leaves internal ids out of the server's message", async () => {
    setFetch(async () =>
      new Response(JSON.stringify({ statusCode: 404, code: "NOT_FOUND", error: "Template 3f2a9c1e-1b2c-4d5e-8f90-0123456789ab not found" }), {
        status: 404,
      }),
    );
    const refused = await request("/api/templates/x").catch((e: unknown) => e);
    expect(errorMessage(refused)).toBe("Template not found");
  });

  it("keeps a message without ids as the server wrote it", () => {
    expect(plainWords("Validation failed")).toBe("Validation failed");
  });
});
