/** Container image references: is this image pinned to something that cannot move? */
export interface ImageReference {
  /** registry/repository without tag or digest */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? undefined : image.slice(at + 1);
  // a ':' after the last '/' is a tag; before it, a registry port ("localhost:5000/app")
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const repository = colon < 0 ? name : name.slice(0, colon);
  const tag = colon < 0 ? undefined : name.slice(colon + 1);
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Why an image is not pinned, or undefined when it is. */
export function unpinnedReason(image: string | undefined): string | undefined {
  if (!image) return 'has no image';
  const ref = parseImageReference(image);
  if (ref.digest !== undefined && !DIGEST.test(ref.digest)) return `has a malformed digest "${ref.digest}" (expected sha256:<64 hex digits>)`;
  if (ref.tag === 'latest') return `uses the mutable tag "latest"`;
  if (ref.digest !== undefined) return undefined;
  if (ref.tag === undefined || ref.tag === '') return 'has no tag, which means "latest"';
  // version tags carry a number ("1.2.3", "v0.5.6", "16.4-alpine3.20"); "stable", "main", "edge" move
  if (!/\d/.test(ref.tag)) return `uses the tag "${ref.tag}", which is not a version and may move`;
  return undefined;
}
