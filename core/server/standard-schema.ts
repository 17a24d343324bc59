/**
 * The Standard Schema v1 interface (standardschema.dev), declared structurally here so that
 * socketkit's published declarations type-check without `@standard-schema/spec` installed and
 * socketkit has no runtime dependency for it. zod 4, valibot 1 and arktype 2 schemas are
 * assignable to it as they are; `test/types/contract.ts` checks that the declarations below and
 * the spec package's `StandardSchemaV1` accept the same schemas.
 */

/** A path segment of an issue, as a schema library may report it. */
export interface StandardPathSegment {
  readonly key: PropertyKey;
}

/** One problem a schema found in a value. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | StandardPathSegment> | undefined;
}

/** What `validate` returns: the output value, or the issues. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> };

/** The options of the JSON Schema converter of a schema (Standard JSON Schema v1). */
export interface StandardJsonSchemaOptions {
  readonly target: "draft-2020-12" | "draft-07" | "openapi-3.0" | ({} & string);
  readonly libraryOptions?: Record<string, unknown> | undefined;
}

/** The JSON Schema of a schema's input and output (Standard JSON Schema v1, `~standard.jsonSchema`). */
export interface StandardJsonSchemaConverter {
  readonly input: (options: StandardJsonSchemaOptions) => Record<string, unknown>;
  readonly output: (options: StandardJsonSchemaOptions) => Record<string, unknown>;
}

/** The `~standard` property of a schema. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (
    value: unknown,
    options?: { readonly libraryOptions?: Record<string, unknown> | undefined } | undefined,
  ) => StandardResult<Output> | Promise<StandardResult<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/** Any Standard Schema v1: an object with a `~standard` property. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaProps<Input, Output>;
}

/** The input type of a schema (what is sent on the wire). */
export type InferInput<S> = S extends { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly input: infer I }
    ? I
    : unknown
  : never;

/** The output type of a schema (what a handler receives after parsing). */
export type InferOutput<S> = S extends { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly output: infer O }
    ? O
    : unknown
  : never;
