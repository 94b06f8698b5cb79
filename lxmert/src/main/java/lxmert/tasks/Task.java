package lxmert.tasks;

import lxmert.data.QaTask;

/** The three fine-tuning tasks with the defaults of the original's run scripts, each with its {@link FinetuneRecipe}. */
public enum Task {
    VQA("vqa", "train,nominival", "minival", 5e-5, new QaRecipe(QaTask.VQA)),
    GQA("gqa", "train,valid", "testdev", 1e-5, new QaRecipe(QaTask.GQA)),
    NLVR2("nlvr2", "train", "valid", 5e-5, new Nlvr2Recipe());

    public final String id;
    public final String defaultTrain;
    public final String defaultValid;
    public final double defaultLr;
    private final FinetuneRecipe recipe;

    Task(String id, String train, String valid, double lr, FinetuneRecipe recipe) {
        this.id = id;
        this.defaultTrain = train;
        this.defaultValid = valid;
        this.defaultLr = lr;
        this.recipe = recipe;
    }

    public static Task parse(String s) {
        for (Task t : values()) if (t.id.equalsIgnoreCase(s)) return t;
        throw new IllegalArgumentException("unknown task '" + s + "', expected vqa, gqa or nlvr2");
    }

    /** What the task is: its data, head, loss, predictions and scoring. */
    public FinetuneRecipe recipe() {
        return recipe;
    }
}
