/**
 * Client-side validation of pod templates with kubernetes-models. Our CRDs embed PodSpec as
 * preserve-unknown-fields (ADR 0003), so synth validates every pod template it renders here.
 */
import { PodTemplateSpec, type IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';

/** Throws with the object's name and the first schema errors when the template is invalid. */
export function assertValidPodTemplate(where: string, template: IPodTemplateSpec): void {
  try {
    new PodTemplateSpec(template).validate();
  } catch (error) {
    throw new Error(`${where}: invalid pod template: ${(error as Error).message}`);
  }
}
