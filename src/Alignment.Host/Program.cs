Console.WriteLine("alignment");
