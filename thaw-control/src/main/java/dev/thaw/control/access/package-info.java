/** Who may call the gateway: namespaces, their quotas, and the namespace tokens the admin issues. */
package dev.thaw.control.access;
