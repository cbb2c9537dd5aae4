package dev.roundhouse.examples;

import dev.roundhouse.loop.BackendInfo;
import dev.roundhouse.loop.Loops;
import java.util.List;

/** {@code roundhouse backends}: every backend, available or why not, its capabilities, the default. */
public final class BackendsCommand {
    private BackendsCommand() {
    }

    public static int run(String[] args) {
        new Args(args);
        List<BackendInfo> all = Loops.backends();
        System.out.printf("%-9s %-8s %-10s %s%n", "backend", "priority", "status", "capabilities / reason");
        for (BackendInfo b : all) {
            String status = b.isDefault() ? "default" : b.available() ? "available" : "missing";
            String detail = b.available() ? b.capabilities().stream().map(Enum::name).sorted()
                    .reduce((x, y) -> x + " " + y).orElse("") : b.unavailableReason();
            System.out.printf("%-9s %-8d %-10s %s%n", b.name(), b.priority(), status, detail);
        }
        String forced = System.getProperty("roundhouse.backend");
        if (forced != null) {
            System.out.println("-Droundhouse.backend=" + forced + " is set");
        }
        return all.stream().anyMatch(BackendInfo::available) ? 0 : 1;
    }
}
