package dev.thaw.cli;

import dev.thaw.wire.v1.gateway.NamespaceView;
import dev.thaw.wire.v1.gateway.QuotaSettings;
import dev.thaw.wire.v1.gateway.TokenView;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Namespaces, quotas and namespace tokens, managed with the admin token. */
final class AccessCommands {
    private AccessCommands() {
    }

    /** Quota flags; absent ones are no limit. */
    static final class QuotaOptions {
        @Option(names = "--functions", paramLabel = "N", description = "functions in the namespace at most")
        Integer functions;

        @Option(names = "--instances", paramLabel = "N",
                description = "the namespace's functions' maxInstances may add up to N at most")
        Integer instances;

        @Option(names = "--memory-mib", paramLabel = "MIB",
                description = "maxInstances times memory may add up to MIB at most, over the namespace's functions")
        Long memoryMib;

        QuotaSettings settings() {
            return new QuotaSettings(functions, instances, memoryMib);
        }
    }

    @Command(name = "namespace", mixinStandardHelpOptions = true,
            description = "Creates, lists and deletes namespaces and sets their quotas (admin token). A function is"
                    + " namespace/name; a namespace token reaches only its own namespaces.",
            subcommands = {Create.class, Delete.class, ListNamespaces.class, SetQuota.class})
    static final class NamespaceCommand {
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a namespace.")
    static final class Create implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Mixin
        QuotaOptions quota;

        @Parameters(paramLabel = "NAME", description = "a DNS label: lower-case letters, digits and '-'")
        String name;

        @Override
        public Integer call() throws Exception {
            print(List.of(gateway.client().createNamespace(name, quota.settings())));
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deletes an empty namespace; tokens lose it.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            gateway.client().deleteNamespace(name);
            System.out.println("deleted namespace " + name);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists namespaces with their quotas and usage (a namespace token: its own).")
    static final class ListNamespaces implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Override
        public Integer call() throws Exception {
            print(gateway.client().namespaces());
            return 0;
        }
    }

    @Command(name = "quota", mixinStandardHelpOptions = true,
            description = "Sets a namespace's quota; a limit not given is none. Deployed functions keep running.")
    static final class SetQuota implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Mixin
        QuotaOptions quota;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            print(List.of(gateway.client().setQuota(name, quota.settings())));
            return 0;
        }
    }

    private static void print(List<NamespaceView> namespaces) {
        System.out.printf("%-24s %-22s %-22s %s%n", "NAMESPACE", "FUNCTIONS (USED/MAX)", "INSTANCES (USED/MAX)",
                "MEMORY MIB (USED/MAX)");
        for (NamespaceView n : namespaces) {
            System.out.printf("%-24s %-22s %-22s %s%n", n.name(), used(n.usage().functions(), n.quota().functions()),
                    used(n.usage().instances(), n.quota().instances()),
                    used(n.usage().memoryMib(), n.quota().memoryMib()));
        }
    }

    private static String used(Number used, Number max) {
        return used + "/" + (max == null ? "-" : max);
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Issues, lists and revokes namespace tokens (admin token). The gateway keeps only a keyed"
                    + " hash of each: the secret is shown once, when it is issued.",
            subcommands = {Issue.class, Revoke.class, ListTokens.class})
    static final class TokenCommand {
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issues a token for one or more namespaces and prints it (export it as THAW_TOKEN).")
    static final class Issue implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", required = true, split = ",",
                description = "a namespace the token may use; repeat or separate with ',' for several")
        List<String> namespaces;

        @Option(names = "--expires-in", paramLabel = "DURATION",
                description = "stops working after this long: ISO-8601 (PT12H, P30D) or e.g. 90m, 12h, 30d")
        String expiresIn;

        @Option(names = "--description", description = "what the token is for, shown by 'thaw token list'")
        String description;

        @Override
        public Integer call() throws Exception {
            Instant expiresAt = expiresIn == null ? null : Instant.now().plus(duration(expiresIn));
            TokenView issued = gateway.client().issueToken(namespaces, expiresAt, description);
            System.err.println("token " + issued.id() + " for " + String.join(", ", issued.namespaces())
                    + (issued.expiresAt() == null ? "" : ", expires " + issued.expiresAt())
                    + "; it is shown only now:");
            System.out.println(issued.token());
            return 0;
        }
    }

    static Duration duration(String text) {
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                return Duration.parse(text);
            }
            long amount = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new IllegalArgumentException("unit");
            };
        } catch (DateTimeParseException | IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--expires-in '" + text + "' is not a duration: use e.g. 90m, 12h, 30d"
                    + " or ISO-8601 (PT12H)");
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a token by its id: it gets 401 from the next request on.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Parameters(paramLabel = "ID", description = "the token's id, as 'thaw token list' shows it")
        String id;

        @Override
        public Integer call() throws Exception {
            gateway.client().revokeToken(id);
            System.out.println("revoked token " + id);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists tokens, never their secrets.")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        GatewayOptions gateway;

        @Override
        public Integer call() throws Exception {
            System.out.printf("%-16s %-24s %-22s %-22s %s%n", "ID", "NAMESPACES", "EXPIRES", "REVOKED", "DESCRIPTION");
            for (TokenView t : gateway.client().tokens()) {
                System.out.printf("%-16s %-24s %-22s %-22s %s%n", t.id(), String.join(",", t.namespaces()),
                        t.expiresAt() == null ? "never" : t.expiresAt(), t.revokedAt() == null ? "-" : t.revokedAt(),
                        t.description() == null ? "" : t.description());
            }
            return 0;
        }
    }
}
