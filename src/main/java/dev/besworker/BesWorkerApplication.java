package dev.besworker;

public class BesWorkerApplication {
    public static void main(String[] args) {
    }
}
