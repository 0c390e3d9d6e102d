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

/**
 * The layering of Thaw's main code, across every module (this module sees them all):
 * api &lt;- wire, http &lt;- sandbox &lt;- snapshot &lt;- node &lt;- control &lt;- k8s, bench, cli (the wire records
 * and the HTTP layer know nothing of Thaw's internals); the local launcher only from the CLI and the
 * benchmarks; no package cycles; no JDK HTTP server.
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
            .layer("wire").definedBy("dev.thaw.wire..")
            .layer("http").definedBy("dev.thaw.http..")
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
                    "cli")
            .whereLayer("wire").mayOnlyBeAccessedByLayers("node", "control", "local", "k8s", "bench", "cli")
            .whereLayer("http").mayOnlyBeAccessedByLayers("node", "control", "local", "k8s", "bench", "cli");

    /**
     * Every package against every other, which within a module means: no package cycles. One
     * dependency is allowed: a snapshot that fails authentication is a corrupt bundle of the store,
     * so that whoever handles one refuses the other too.
     */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.thaw.(**)").should().beFreeOfCycles()
            .ignoreDependency(describe("VerificationException", (JavaClass c) -> c.getName()
                    .equals("dev.thaw.snapshot.trust.VerificationException")), inPackage("dev.thaw.snapshot.store"));

    private static DescribedPredicate<JavaClass> inPackage(String name) {
        return describe("classes in " + name, (JavaClass c) -> c.getPackageName().equals(name));
    }

    /** HTTP is served and called through thaw-http (Helidon), never the JDK's own server. */
    @ArchTest
    static final ArchRule noJdkHttpServer = noClasses().should().dependOnClassesThat()
            .resideInAPackage("com.sun.net.httpserver..");

    /** One logging API: {@link System.Logger}, which the JDK routes to java.util.logging unless told otherwise. */
    @ArchTest
    static final ArchRule oneLoggingApi = noClasses().should().dependOnClassesThat()
            .resideInAPackage("java.util.logging..");
}
