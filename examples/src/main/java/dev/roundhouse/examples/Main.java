package dev.roundhouse.examples;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code roundhouse} command: {@code java -jar roundhouse.jar COMMAND [options]}.
 *
 * <p>Commands live in their own classes with a {@code public static int run(String[])}; the ones
 * that belong to optional modules (WebSocket demos, benchmarks) are looked up by name so that this
 * jar still works, and says so, when a module is left out of the build.
 */
public final class Main {
    private static final Map<String, String[]> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("backends", new String[] {"dev.roundhouse.examples.BackendsCommand",
            "list every backend: available or why not, capabilities, the default here"});
        COMMANDS.put("echo", new String[] {"dev.roundhouse.examples.EchoCommand",
            "TCP echo server on 127.0.0.1: --port N [--backend NAME]"});
        COMMANDS.put("ws-echo", new String[] {"dev.roundhouse.examples.ws.WsEchoCommand",
            "WebSocket echo server: --port N [--backend NAME]"});
        COMMANDS.put("chat", new String[] {"dev.roundhouse.examples.ws.ChatCommand",
            "chat page over HTTP with a WebSocket browser client: [--port N]"});
        COMMANDS.put("bench", new String[] {"dev.roundhouse.examples.bench.BenchCommand",
            "short echo benchmark matrix against Netty and a C baseline (off Linux or --portable: Java servers only)"});
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command; returns the process exit code (0 ok, 1 failure, 2 usage). */
    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            usage();
            return args.length == 0 ? 2 : 0;
        }
        String[] entry = COMMANDS.get(args[0]);
        if (entry == null) {
            System.err.println("roundhouse: unknown command '" + args[0] + "'");
            usage();
            return 2;
        }
        String[] rest = new String[args.length - 1];
        System.arraycopy(args, 1, rest, 0, rest.length);
        Method run;
        try {
            run = Class.forName(entry[0]).getMethod("run", String[].class);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            System.err.println("roundhouse: command '" + args[0] + "' is not in this build (" + entry[0] + " missing)");
            return 1;
        }
        try {
            return (Integer) run.invoke(null, (Object) rest);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException) {
                System.err.println("roundhouse " + args[0] + ": " + cause.getMessage());
                return 2;
            }
            System.err.println("roundhouse " + args[0] + " failed: " + cause);
            cause.printStackTrace();
            return 1;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void usage() {
        System.err.println("usage: roundhouse COMMAND [options]\n\ncommands:");
        COMMANDS.forEach((name, e) -> System.err.printf("  %-10s %s%n", name, e[1]));
        System.err.println("\n-Droundhouse.backend=NAME forces a backend for every command.");
    }
}
