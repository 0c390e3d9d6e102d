/**
 * Version 1 of the protocol between users, the gateway, nodes and the scheduler extender: what all three APIs
 * share ({@link dev.thaw.wire.v1.ErrorBody}, {@link dev.thaw.wire.v1.ApiRoute}); each API's records, route list
 * and OpenAPI document are in its own subpackage. Records here hold only records of this package, JSON trees
 * and the manifest records of {@code dev.thaw.api}, never a type internal to a node or the gateway.
 */
package dev.thaw.wire.v1;
