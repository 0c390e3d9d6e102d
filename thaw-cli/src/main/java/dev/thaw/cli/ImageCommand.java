package dev.thaw.cli;

import dev.thaw.sandbox.image.FunctionImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "image", description = "Guest images.", mixinStandardHelpOptions = true,
        subcommands = {ImageCommand.Build.class})
final class ImageCommand {

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Builds the guest root filesystem of the function in DIR (base root with python3 from "
                    + "Debian, cached; the function's code and the guest agent on top) and prints its digest.")
    static final class Build implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "function directory with a thaw.yaml")
        Path dir;

        @Override
        public Integer call() throws Exception {
            try (Workbench bench = new Workbench()) {
                long started = System.nanoTime();
                FunctionImage image = bench.image(dir);
                System.out.printf("function  %s (%s, handler %s, %d MiB, %d vCPU)%n", image.manifest().name(),
                        image.manifest().runtime().id(), image.manifest().handler(),
                        image.manifest().shape().memoryMib(), image.manifest().shape().vcpus());
                System.out.printf("base      %s  %s%n", image.base().digest(), image.base().image());
                System.out.printf("layer     %s  %s%n", image.layerDigest(), image.layer());
                System.out.printf("digest    %s%n", image.digest());
                System.out.printf("revision  %s%n", bench.spec(image).revision());
                System.out.printf("built in  %.0f ms%n", (System.nanoTime() - started) / 1e6);
                return 0;
            }
        }
    }
}
