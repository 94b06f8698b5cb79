package lxmert.data;

/** One NLVR2 statement over an image pair ({@code nlvr2_data.py:20-30}); label 0/1, null if unlabelled. */
public record Nlvr2Example(String identifier, String img0, String img1, Integer label, String sent, String uid) {}
