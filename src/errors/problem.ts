/**
 * @module
 * RFC 9457 problem documents: the admin plane's only error shape.
 */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<{ path: string; message: string }>;
}

/** An admin-plane failure; the admin error handler renders it as application/problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: Array<{ path: string; message: string }>,
  ) {
    super(detail ?? title);
    this.name = "ProblemError";
  }

  toProblem(instance?: string): Problem {
    const slug = this.title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    return {
      type: `https://switchyard.dev/problems/${slug}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/**
 * @example problemResponse(new ProblemError(404, "Not Found", "no team acme"))
 */
export function problemResponse(err: ProblemError, instance?: string): Response {
  return new Response(JSON.stringify(err.toProblem(instance)), {
    status: err.status,
    headers: { "content-type": "application/problem+json" },
  });
}
