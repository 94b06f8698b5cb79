package lxmert.tasks;

/** The three fine-tuning tasks with the defaults of the original's run scripts. */
public enum Task {
    VQA("vqa", "train,nominival", "minival", 5e-5),
    GQA("gqa", "train,valid", "testdev", 1e-5),
    NLVR2("nlvr2", "train", "valid", 5e-5);

    public final String id;
    public final String defaultTrain;
    public final String defaultValid;
    public final double defaultLr;

    Task(String id, String train, String valid, double lr) {
        this.id = id;
        this.defaultTrain = train;
        this.defaultValid = valid;
        this.defaultLr = lr;
    }

    public static Task parse(String s) {
        for (Task t : values()) if (t.id.equalsIgnoreCase(s)) return t;
        throw new IllegalArgumentException("unknown task '" + s + "', expected vqa, gqa or nlvr2");
    }

    public boolean isQa() {
        return this != NLVR2;
    }
}
