/** The scheduler extender's API, in kube-scheduler's extender/v1 JSON, and its routes. */
package dev.thaw.wire.v1.extender;
