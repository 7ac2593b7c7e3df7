// Shared Vitest setup (jsdom). Cleanup between tests for Testing Library.
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());
