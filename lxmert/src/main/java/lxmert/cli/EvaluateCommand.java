package lxmert.cli;

import picocli.CommandLine.Command;

@Command(name = "evaluate")
public final class EvaluateCommand implements Runnable {
    public void run() {}
}
