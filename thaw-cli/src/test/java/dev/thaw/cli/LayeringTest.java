package dev.thaw.cli;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;

/**
 * The layering of Thaw's main code, across every module (this module sees them all):
 * api &lt;- sandbox &lt;- snapshot &lt;- node &lt;- control &lt;- k8s, bench, cli; the local launcher only
 * from the CLI and the benchmarks; no package cycles; the JDK's HTTP server only where it is still used.
 */
@AnalyzeClasses(packages = "dev.thaw", importOptions = {ImportOption.DoNotIncludeTests.class,
    LayeringTest.NoTestJars.class})
class LayeringTest {

    /** Other modules' test fixtures, which reach across layers as tests may. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar") && !location.contains("/test-classes/");
        }
    }

    @ArchTest
    static final ArchRule modulesPointOneWay = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("api").definedBy("dev.thaw.api..")
            .layer("sandbox").definedBy("dev.thaw.sandbox..")
            .layer("snapshot").definedBy("dev.thaw.snapshot..")
            .layer("node").definedBy("dev.thaw.node..")
            .layer("control").definedBy("dev.thaw.control..")
            .layer("local").definedBy("dev.thaw.local..")
            .layer("k8s").definedBy("dev.thaw.k8s..")
            .layer("bench").definedBy("dev.thaw.bench..")
            .layer("cli").definedBy("dev.thaw.cli..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("bench").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("k8s").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("local").mayOnlyBeAccessedByLayers("bench", "cli")
            .whereLayer("control").mayOnlyBeAccessedByLayers("local", "k8s", "bench", "cli")
            .whereLayer("node").mayOnlyBeAccessedByLayers("control", "local", "k8s", "bench", "cli")
            .whereLayer("snapshot").mayOnlyBeAccessedByLayers("node", "control", "local", "k8s", "bench", "cli")
            .whereLayer("sandbox").mayOnlyBeAccessedByLayers("snapshot", "node", "control", "local", "k8s", "bench",
                    "cli");

    /**
     * Every package against every other, which within a module means: no package cycles. Two
     * dependencies are allowed: the node's wire records still embed node types, until they move out;
     * and a snapshot that fails authentication is a corrupt bundle of the store, so that whoever
     * handles one refuses the other too.
     */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.thaw.(**)").should().beFreeOfCycles()
            .ignoreDependency(inPackage("dev.thaw.node.api"), inPackage("dev.thaw.node"))
            .ignoreDependency(describe("VerificationException", (JavaClass c) -> c.getName()
                    .equals("dev.thaw.snapshot.trust.VerificationException")), inPackage("dev.thaw.snapshot.store"));

    private static DescribedPredicate<JavaClass> inPackage(String name) {
        return describe("classes in " + name, (JavaClass c) -> c.getPackageName().equals(name));
    }

    /** The classes that still serve HTTP with the JDK's server; the list only shrinks. */
    static final Set<String> JDK_HTTP_SERVER_USERS = Set.of(
            "dev.thaw.node.http.HttpApi",
            "dev.thaw.node.service.NodeServer",
            "dev.thaw.control.GatewayServer",
            "dev.thaw.control.extender.ExtenderHandler",
            "dev.thaw.k8s.extender.ExtenderServer");

    @ArchTest
    static final ArchRule jdkHttpServerOnlyWhereStillUsed = noClasses()
            .that(describe("are not among the remaining JDK HTTP server users",
                    (JavaClass c) -> !JDK_HTTP_SERVER_USERS.contains(c.getName().replaceAll("\\$.*", ""))))
            .should().dependOnClassesThat().resideInAPackage("com.sun.net.httpserver..");

    /** One logging API: {@link System.Logger}, which the JDK routes to java.util.logging unless told otherwise. */
    @ArchTest
    static final ArchRule oneLoggingApi = noClasses().should().dependOnClassesThat()
            .resideInAPackage("java.util.logging..");
}
