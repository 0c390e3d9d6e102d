/**
 * Cluster membership as the gateway sees it: the nodes that joined, their identities and
 * credentials, and the failures that remove them.
 */
package dev.thaw.control.cluster;
